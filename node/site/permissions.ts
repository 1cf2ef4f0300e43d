/**
 * Who may change a site directory (node/README.md § The site directory): config.json holds the trust anchor (the
 * genesis charter every trust decision derives from) and the key files hold the site's identity, so a site whose
 * directory, config or key files another local user could replace is refused, as ssh refuses such a ~/.ssh. Each
 * refusal says exactly how to fix it.
 */
import { stat } from 'node:fs/promises'
import type { Stats } from 'node:fs'
import { SiteError } from './errors.ts'

/** What a path is, which decides the bits it may not have and the mode its fix sets. */
export type Guarded = 'dir' | 'config' | 'secret'

/** Bits that make a path unsafe: nobody but the owner may write the directory or config; secrets are owner-only. */
export const UNSAFE_BITS: Record<Guarded, number> = { dir: 0o022, config: 0o022, secret: 0o077 }
/** The mode `aip init` gives each (and the fix suggests). */
export const SAFE_MODE: Record<Guarded, number> = { dir: 0o700, config: 0o644, secret: 0o600 }

/** Throws SiteError `insecure_owner` or `insecure_mode` when `st` (of `path`) is not safe for a `kind` path. */
export function checkSafe(path: string, st: Stats, kind: Guarded): void {
  const me = process.getuid?.()
  if (me !== undefined && st.uid !== me) {
    throw new SiteError('insecure_owner', `${path} is owned by uid ${st.uid}, not by the user running aip (uid ${me}); ` +
      `run aip as its owner, or take it over: chown ${me} ${path}`)
  }
  const mode = st.mode & 0o777
  if ((mode & UNSAFE_BITS[kind]) !== 0) {
    const what = kind === 'secret' ? 'readable or writable by group or others' : 'writable by group or others'
    throw new SiteError('insecure_mode', `${path} has mode 0${mode.toString(8)} (${what}); it must be ` +
      `0${SAFE_MODE[kind].toString(8)} (chmod ${SAFE_MODE[kind].toString(8)} ${path})`)
  }
}

/** stat + checkSafe; a missing path is SiteError `missing_file`. */
export async function checkPath(path: string, kind: Guarded): Promise<void> {
  let st: Stats
  try {
    st = await stat(path)
  } catch {
    throw new SiteError('missing_file', `${path} does not exist`)
  }
  checkSafe(path, st, kind)
}
