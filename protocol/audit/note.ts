/**
 * C2SP signed notes (c2sp.org/signed-note, specs/audit-v1.md §3.1) with Ed25519 signatures, verifier keys
 * (`<name>+<hex key ID>+<base64(type || public key)>`) and timestamped Ed25519 cosignatures (c2sp.org/tlog-cosignature,
 * §3.3). Parse the wire form first, then verify against the verifiers the caller trusts; unknown signatures are ignored.
 */
import { createHash } from 'node:crypto'
import { sign, verifySignature } from '../keys.ts'
import type { SigningKey } from '../keys.ts'
import { MAX_COSIGNATURE_TIME, MAX_NAME_BYTES, MAX_NOTE_BYTES, MAX_NOTE_SIGNATURES, SIG_TYPE_COSIGNATURE_V1, SIG_TYPE_ED25519 } from './constants.ts'
import { AuditError } from './errors.ts'

const utf8 = new TextEncoder()
const strictUtf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true })
const SIG_PREFIX = '— '
/** Unicode spaces as Go's unicode.IsSpace defines them, and '+': a key name has none (signed-note §Format). */
const NAME_FORBIDDEN = /[\t\n\v\f\r \u0085\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000+]/u

/** One signature line: `— <name> base64(key ID || signature)`. */
export interface NoteSignature {
  name: string
  /** uint32, big-endian on the wire. */
  keyId: number
  /** The signature bytes after the key ID. */
  signature: Uint8Array
}

export interface Note {
  /** The note text, ending in a newline (what is signed). */
  text: string
  signatures: NoteSignature[]
}

/** A key a verifier trusts: checks one (name, key ID)'s signatures over the note text. */
export interface NoteVerifier {
  name: string
  keyId: number
  type: number
  publicKey: Uint8Array
  verify(text: Uint8Array, signature: Uint8Array): boolean
}

export interface NoteSigner {
  name: string
  keyId: number
  sign(text: Uint8Array): Uint8Array
}

/** §3.1: a key name (or origin) is non-empty, ≤ MAX_NAME_BYTES, without Unicode spaces or '+'. */
export function checkName(name: string): void {
  if (name.length === 0 || NAME_FORBIDDEN.test(name) || utf8.encode(name).length > MAX_NAME_BYTES || hasControl(name)) {
    throw new AuditError('bad_name', `not a valid key name: ${JSON.stringify(name.slice(0, 64))}`)
  }
}

function hasControl(s: string): boolean {
  for (let i = 0; i < s.length; i++) if (s.charCodeAt(i) < 0x20) return true
  return false
}

/** signed-note: key ID = SHA-256(name || 0x0A || type || public key)[:4], as a big-endian uint32. */
export function keyId(name: string, type: number, publicKey: Uint8Array): number {
  const h = createHash('sha256').update(name).update(Uint8Array.of(0x0a, type)).update(publicKey).digest()
  return h.readUInt32BE(0)
}

/** Canonical standard base64 (RFC 4648 §4, padded) or an AuditError. */
export function decodeBase64(s: string, what: string): Uint8Array {
  const b = Buffer.from(s, 'base64')
  if (s.length === 0 || b.toString('base64') !== s) throw new AuditError('malformed_note', `${what} is not canonical base64`)
  return new Uint8Array(b)
}

const b64 = (b: Uint8Array) => Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString('base64')
const hex8 = (n: number) => n.toString(16).padStart(8, '0')

/** §3.1 verifier key text: `<name>+<8 hex digits of key ID>+<base64(type || public key)>`. */
export function formatVerifierKey(name: string, type: number, publicKey: Uint8Array): string {
  checkName(name)
  return `${name}+${hex8(keyId(name, type, publicKey))}+${b64(Uint8Array.of(type, ...publicKey))}`
}

/** Parses a verifier key of type Ed25519 (0x01) or cosignature/v1 (0x04) into a NoteVerifier. */
export function parseVerifierKey(vkey: string): NoteVerifier {
  // the base64 key may itself contain '+': split at the first two only (as Go's note.NewVerifier does)
  const a = vkey.indexOf('+')
  const b = a < 0 ? -1 : vkey.indexOf('+', a + 1)
  const name = vkey.slice(0, a)
  const idHex = vkey.slice(a + 1, b)
  const keyB64 = vkey.slice(b + 1)
  if (b < 0 || !/^[0-9a-f]{8}$/.test(idHex)) throw new AuditError('bad_vkey', 'a verifier key is <name>+<8 lowercase hex digits>+<base64 key>')
  try {
    checkName(name)
  } catch {
    throw new AuditError('bad_vkey', 'the verifier key name is not a valid key name')
  }
  let raw: Uint8Array
  try {
    raw = decodeBase64(keyB64, 'the verifier key')
  } catch {
    throw new AuditError('bad_vkey', 'the verifier key material is not canonical base64')
  }
  if (raw.length !== 33) throw new AuditError('bad_vkey', 'an Ed25519 verifier key is 1 type byte and 32 key bytes')
  const type = raw[0]!
  const publicKey = raw.slice(1)
  if (keyId(name, type, publicKey) !== parseInt(idHex, 16)) throw new AuditError('bad_vkey', 'the key ID does not match the name and key')
  if (type === SIG_TYPE_ED25519) return ed25519Verifier(name, publicKey)
  if (type === SIG_TYPE_COSIGNATURE_V1) return cosignatureVerifier(name, publicKey)
  throw new AuditError('bad_vkey', `unsupported signature type 0x${type.toString(16).padStart(2, '0')}`)
}

/** §3.1: verifies Ed25519 note signatures over the note text (AIP's Ed25519 rules, aip-v1 §3.3). */
export function ed25519Verifier(name: string, publicKey: Uint8Array): NoteVerifier {
  checkName(name)
  return {
    name, keyId: keyId(name, SIG_TYPE_ED25519, publicKey), type: SIG_TYPE_ED25519, publicKey,
    verify: (text, sig) => sig.length === 64 && verifySignature(publicKey, text, sig) === 'ok',
  }
}

export function ed25519Signer(name: string, key: SigningKey): NoteSigner {
  checkName(name)
  return { name, keyId: keyId(name, SIG_TYPE_ED25519, key.publicKey), sign: (text) => sign(key, text) }
}

/** §3.3: the message a cosignature/v1 signs: "cosignature/v1\ntime <t>\n" followed by the checkpoint text. */
export function cosignatureMessage(text: Uint8Array, time: number): Uint8Array {
  return Buffer.concat([Buffer.from(`cosignature/v1\ntime ${time}\n`), text])
}

/** The timestamp (POSIX seconds) of a cosignature/v1 signature (8-byte big-endian time || 64-byte Ed25519). */
export function cosignatureTime(signature: Uint8Array): number | undefined {
  if (signature.length !== 72) return undefined
  const t = Buffer.from(signature.buffer, signature.byteOffset, 8).readBigUInt64BE(0)
  return t <= BigInt(MAX_COSIGNATURE_TIME) ? Number(t) : undefined
}

/** §3.3: verifies timestamped Ed25519 cosignatures (tlog-cosignature, signature type 0x04). */
export function cosignatureVerifier(name: string, publicKey: Uint8Array): NoteVerifier {
  checkName(name)
  return {
    name, keyId: keyId(name, SIG_TYPE_COSIGNATURE_V1, publicKey), type: SIG_TYPE_COSIGNATURE_V1, publicKey,
    verify(text, sig) {
      const time = cosignatureTime(sig)
      return time !== undefined && verifySignature(publicKey, cosignatureMessage(text, time), sig.subarray(8)) === 'ok'
    },
  }
}

/** A cosigner: signs `cosignature/v1` messages stamped with the time the caller passes (seconds). */
export function cosigner(name: string, key: SigningKey): { name: string; keyId: number; cosign(text: Uint8Array, time: number): Uint8Array } {
  checkName(name)
  return {
    name, keyId: keyId(name, SIG_TYPE_COSIGNATURE_V1, key.publicKey),
    cosign(text, time) {
      if (!Number.isSafeInteger(time) || time < 0) throw new RangeError('a cosignature time is a non-negative integer of seconds')
      const ts = Buffer.alloc(8)
      ts.writeBigUInt64BE(BigInt(time))
      return Buffer.concat([ts, sign(key, cosignatureMessage(text, time))])
    },
  }
}

/** Parses a signed note (signed-note §Format). Throws AuditError. */
export function parseNote(input: Uint8Array | string): Note {
  const bytes = typeof input === 'string' ? utf8.encode(input) : input
  if (bytes.length > MAX_NOTE_BYTES) throw new AuditError('limit', `a note is at most ${MAX_NOTE_BYTES} bytes`)
  let msg: string
  try {
    msg = strictUtf8.decode(bytes)
  } catch {
    throw new AuditError('malformed_note', 'a note is UTF-8')
  }
  if (hasControl(msg.replaceAll('\n', ''))) throw new AuditError('malformed_note', 'a note has no control characters other than newline')
  const split = msg.lastIndexOf('\n\n')
  if (split < 0) throw new AuditError('malformed_note', 'no blank line before the signatures')
  const text = msg.slice(0, split + 1)
  const block = msg.slice(split + 2)
  if (block.length === 0 || !block.endsWith('\n')) throw new AuditError('malformed_note', 'the signature block is empty or does not end in a newline')
  const lines = block.slice(0, -1).split('\n')
  if (lines.length > MAX_NOTE_SIGNATURES) throw new AuditError('too_many_signatures', `more than ${MAX_NOTE_SIGNATURES} signatures`)
  const signatures: NoteSignature[] = []
  for (const line of lines) {
    if (!line.startsWith(SIG_PREFIX)) throw new AuditError('malformed_note', 'a signature line starts with "— "')
    const rest = line.slice(SIG_PREFIX.length)
    const sp = rest.indexOf(' ')
    if (sp < 0) throw new AuditError('malformed_note', 'a signature line is "— <name> <base64>"')
    const name = rest.slice(0, sp)
    try {
      checkName(name)
    } catch {
      throw new AuditError('malformed_note', 'a signature line names an invalid key')
    }
    const raw = decodeBase64(rest.slice(sp + 1), 'a signature')
    if (raw.length < 5) throw new AuditError('malformed_note', 'a signature is a 4-byte key ID and at least one byte')
    signatures.push({ name, keyId: Buffer.from(raw.buffer, raw.byteOffset, 4).readUInt32BE(0), signature: raw.subarray(4) })
  }
  return { text, signatures }
}

/** The wire form: text, a blank line, one line per signature. */
export function formatNote(note: Note): string {
  if (!note.text.endsWith('\n')) throw new AuditError('malformed_note', 'the note text ends in a newline')
  return note.text + '\n' + note.signatures.map(signatureLine).join('')
}

export function signatureLine(s: NoteSignature): string {
  const id = Buffer.alloc(4)
  id.writeUInt32BE(s.keyId)
  return `${SIG_PREFIX}${s.name} ${b64(Buffer.concat([id, s.signature]))}\n`
}

/** Signs `text` (ending in a newline) with each signer, returning the note. */
export function signNote(text: string, ...signers: NoteSigner[]): Note {
  if (!text.endsWith('\n')) throw new AuditError('malformed_note', 'the note text ends in a newline')
  const t = utf8.encode(text)
  return { text, signatures: signers.map((s) => ({ name: s.name, keyId: s.keyId, signature: s.sign(t) })) }
}

/**
 * signed-note §Signatures: every signature whose (name, key ID) matches a verifier MUST verify (else bad_signature);
 * others are ignored; at least one must verify (else unverified). Returns the verifiers whose signatures verified,
 * each once, in note order.
 */
export function verifyNote(note: Note, verifiers: readonly NoteVerifier[]): NoteVerifier[] {
  const text = utf8.encode(note.text)
  const ok: NoteVerifier[] = []
  for (const s of note.signatures) {
    const v = verifiers.find((x) => x.name === s.name && x.keyId === s.keyId)
    if (v === undefined || ok.includes(v)) continue
    if (!v.verify(text, s.signature)) throw new AuditError('bad_signature', `the signature of ${s.name} does not verify`)
    ok.push(v)
  }
  if (ok.length === 0) throw new AuditError('unverified', 'no signature by a known key')
  return ok
}
