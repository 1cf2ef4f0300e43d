/** Errors about a site directory (missing, damaged, insecure). `code` is stable; the CLI prints the message. */
export type SiteErrorCode =
  | 'not_a_site' | 'already_exists' | 'missing_file' | 'insecure_mode' | 'insecure_owner' | 'bad_key_file' | 'bad_config' | 'bad_nation'

export class SiteError extends Error {
  constructor(readonly code: SiteErrorCode, message: string) {
    super(message)
    this.name = 'SiteError'
  }
}
