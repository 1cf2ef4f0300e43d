/**
 * One error class for the audit formats with a closed set of codes (specs/audit-v1.md §8): the bytes are wrong or
 * the cryptography failed. Policy decisions (not enough cosigners) are results, not errors.
 */
export type AuditErrorCode =
  | 'malformed_note' // not a signed note (c2sp.org/signed-note): encoding, control characters, layout, base64
  | 'bad_name' // empty name, a space or '+' in it, or longer than MAX_NAME_BYTES
  | 'bad_vkey' // a verifier key that is not <name>+<hex key ID>+<base64 type||key>, or whose ID does not match
  | 'too_many_signatures' // more than MAX_NOTE_SIGNATURES signature lines
  | 'bad_signature' // a signature by a known key that does not verify
  | 'unverified' // no signature by a known key
  | 'malformed_checkpoint' // the note text is not a c2sp.org/tlog-checkpoint body
  | 'bad_tile_path' // not a tlog-tiles path
  | 'bad_tile' // a tile or entry bundle of the wrong length or content
  | 'malformed_entry' // an entry that is not AIP's deterministic CBOR entry map (§5)
  | 'limit' // a size above one of the constants of §2

export class AuditError extends Error {
  constructor(readonly code: AuditErrorCode, message: string) {
    super(message)
    this.name = 'AuditError'
  }
}
