/**
 * The two error classes of the record layer (spec §Validation): a `ProtocolError` means the bytes themselves are
 * wrong (undecodable, non-canonical, malformed, bad signature) — a fault the sender can see. Trust decisions ("we do
 * not accept this signer") are never thrown: they are IGNORE outcomes from validate.ts.
 */

/** Codes thrown by the decoders. Each maps to one REJECT code of the spec (see validate.ts). */
export type ProtocolErrorCode =
  | 'undecodable' // not well-formed CBOR, truncated, invalid UTF-8, trailing bytes
  | 'non_canonical' // well-formed but not the deterministic encoding (spec §3.1)
  | 'unsupported' // a CBOR feature AIP forbids: floats, undefined, simple values, tags other than 42, bigints
  | 'limit' // nesting depth, item count or size above the decoder's limits (spec §Constants)
  | 'bad_envelope' // not a COSE_Sign1 in AIP's fixed form (spec §3.2)
  | 'malformed' // payload does not match the record type's schema (spec §4)
  | 'weak_key' // a public key that is non-canonical or of small order (spec §3.3)
  | 'bad_signature' // the Ed25519 signature does not verify (spec §3.3)
  | 'bad_id' // not a CIDv1 raw sha2-256 base32 record ID (spec §3.4)
  | 'bad_evidence' // an audit record's signed notes do not prove what it states (spec §4.11, audit-v1 §7.4)

export class ProtocolError extends Error {
  constructor(
    readonly code: ProtocolErrorCode,
    message: string,
  ) {
    super(message)
    this.name = 'ProtocolError'
  }
}
