/**
 * AuditCheckpoint and AuditEquivocation (spec §4.11, specs/audit-v1.md §7.4): a site's signed audit checkpoint
 * carried by gossip, and the proof that a log signed two checkpoints that cannot both be true. Both carry C2SP signed
 * notes verbatim; the readers check everything the notes alone prove (the log's signatures, the origin naming the
 * log key, the inconsistency) and throw ProtocolError('bad_evidence') otherwise — a member cannot frame another.
 * Whether the log key is certified for the origin's nation is the receiver's stateful check (validate.ts).
 */
import type { CborMap } from '../cbor.ts'
import { MAX_AUDIT_NOTE_TEXT_BYTES, MAX_AUDIT_PROOF_HASHES } from '../constants.ts'
import { ProtocolError } from '../errors.ts'
import { MerkleProofError, verifyConsistencyProof } from '../merkle.ts'
import { parseCheckpoint } from '../audit/checkpoint.ts'
import type { Checkpoint } from '../audit/checkpoint.ts'
import { AuditError } from '../audit/errors.ts'
import { ed25519Verifier, formatNote, parseNote, verifyNote } from '../audit/note.ts'
import type { Note } from '../audit/note.ts'
import { bytes, fields, list, publicKey, text } from './schema.ts'

export interface AuditCheckpointBody {
  /** The log's site key (its signed-note key, audit-v1 §3.2). */
  log: Uint8Array
  /** The signed checkpoint: a C2SP signed note with the log's signature and any cosignatures (audit-v1 §3). */
  note: string
}

export interface AuditEquivocationBody {
  log: Uint8Array
  /** The smaller checkpoint (or, at equal sizes, the one with the smaller root), with exactly the log's signature. */
  a: string
  /** The other checkpoint, with exactly the log's signature. */
  b: string
  /** Sizes differ: the root of b's first a.size entries, which is not a's root… */
  prefix_root?: Uint8Array
  /** …as the RFC 9162 consistency proof from (a.size, prefix_root) to (b.size, b's root) shows. */
  proof?: Uint8Array[]
}

const ORIGIN_RE = /^aip-audit\/([A-Z]{2})\/([0-9a-f]{16})$/

const evidence = (why: string): never => {
  throw new ProtocolError('bad_evidence', why)
}

/** The nation an audit origin names (aip-audit/<NATION>/<key prefix>), or undefined when it is not one. */
export function originNation(origin: string): string | undefined {
  return ORIGIN_RE.exec(origin)?.[1]
}

/**
 * A signed checkpoint of `log`'s audit log: the note parses, its origin is aip-audit/<NATION>/<hex of log[0..8]>,
 * and the log's signature (key name = origin) verifies. Returns the note and its checkpoint.
 */
export function verifyLogNote(log: Uint8Array, noteText: string, what: string): { note: Note; checkpoint: Checkpoint } {
  try {
    const note = parseNote(noteText)
    const checkpoint = parseCheckpoint(note.text)
    const m = ORIGIN_RE.exec(checkpoint.origin)
    if (m === null || m[2] !== Buffer.from(log.subarray(0, 8)).toString('hex')) evidence(`${what}: the origin ${JSON.stringify(checkpoint.origin.slice(0, 80))} is not the log of this key`)
    const v = ed25519Verifier(checkpoint.origin, log)
    // audit-v1 §3.1: a log signature that does not verify fails the note; one must verify
    verifyNote({ text: note.text, signatures: note.signatures.filter((s) => s.name === v.name) }, [v])
    return { note, checkpoint }
  } catch (err) {
    if (err instanceof AuditError) return evidence(`${what}: ${err.code}: ${err.message}`)
    throw err
  }
}

export function parseAuditCheckpoint(m: CborMap): AuditCheckpointBody {
  fields(m, 'AuditCheckpoint', ['log', 'note'])
  const body = { log: publicKey(m.log, 'log'), note: text(m.note, 'note', MAX_AUDIT_NOTE_TEXT_BYTES) }
  verifyLogNote(body.log, body.note, 'note')
  return body
}

const hash = (v: unknown, name: string) => bytes(v as Uint8Array, name, 32)
const eq = (x: Uint8Array, y: Uint8Array) => Buffer.compare(x, y) === 0

export function parseAuditEquivocation(m: CborMap): AuditEquivocationBody {
  fields(m, 'AuditEquivocation', ['log', 'a', 'b'], ['prefix_root', 'proof'])
  const body: AuditEquivocationBody = { log: publicKey(m.log, 'log'), a: text(m.a, 'a', MAX_AUDIT_NOTE_TEXT_BYTES), b: text(m.b, 'b', MAX_AUDIT_NOTE_TEXT_BYTES) }
  if (Object.hasOwn(m, 'prefix_root')) body.prefix_root = hash(m.prefix_root, 'prefix_root')
  if (Object.hasOwn(m, 'proof')) body.proof = list(m.proof, 'proof', 1, MAX_AUDIT_PROOF_HASHES, (x, n) => hash(x, n))
  const a = verifyLogNote(body.log, body.a, 'a')
  const b = verifyLogNote(body.log, body.b, 'b')
  // spec §4.11: one form per pair — each note carries exactly the log's signature, a before b
  if (a.note.signatures.length !== 1 || b.note.signatures.length !== 1) evidence('each note carries exactly the log\'s signature')
  if (a.checkpoint.origin !== b.checkpoint.origin) evidence('the two checkpoints are of different logs')
  const [ca, cb] = [a.checkpoint, b.checkpoint]
  if (ca.size === cb.size) {
    // audit-v1 §7.3: same size, different roots — the two notes alone prove it
    if (body.prefix_root !== undefined || body.proof !== undefined) evidence('checkpoints of one size take no proof')
    if (Buffer.compare(ca.root, cb.root) >= 0) evidence(eq(ca.root, cb.root) ? 'the two checkpoints are the same tree' : 'a is the checkpoint with the smaller root')
    return body
  }
  if (ca.size > cb.size) evidence('a is the smaller checkpoint')
  if (ca.size === 0) evidence('every tree extends the empty tree')
  // audit-v1 §7.3: b's first a.size entries have another root than a — shown by a consistency proof to b
  if (body.prefix_root === undefined || body.proof === undefined) evidence('checkpoints of different sizes need prefix_root and proof')
  if (eq(body.prefix_root!, ca.root)) evidence('prefix_root is a\'s root: the checkpoints are consistent')
  try {
    verifyConsistencyProof(ca.size, cb.size, body.proof!, body.prefix_root!, cb.root)
  } catch (err) {
    if (err instanceof MerkleProofError) evidence(`the proof does not show prefix_root inside b: ${err.code}`)
    throw err
  }
  return body
}

/**
 * The body of the equivocation proof of two checkpoint notes of one log (both verified as the log's): canonical
 * order, each note reduced to the log's signature. `prefix` is needed when the sizes differ.
 */
export function equivocationBody(log: Uint8Array, x: Note, y: Note, prefix?: { root: Uint8Array; proof: Uint8Array[] }): AuditEquivocationBody {
  const [cx, cy] = [parseCheckpoint(x.text), parseCheckpoint(y.text)]
  const only = (n: Note) => formatNote({ text: n.text, signatures: n.signatures.filter((s) => s.name === cx.origin).slice(0, 1) })
  const swap = cx.size > cy.size || (cx.size === cy.size && Buffer.compare(cx.root, cy.root) > 0)
  const [a, b] = swap ? [y, x] : [x, y]
  const body: AuditEquivocationBody = { log, a: only(a), b: only(b) }
  if (cx.size !== cy.size) {
    if (prefix === undefined) throw new RangeError('checkpoints of different sizes need the prefix root and proof')
    body.prefix_root = prefix.root
    body.proof = prefix.proof
  }
  return body
}

/** The operator alert an accepted equivocation proof raises on every site (audit-v1 §7.3). */
export function equivocationAlert(body: AuditEquivocationBody, id: string): string {
  const origin = parseCheckpoint(parseNote(body.a).text).origin
  return `audit log ${origin} equivocated: two signed checkpoints that cannot both be true (proof ${id})`
}
