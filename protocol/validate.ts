/**
 * Record validation (spec §6), gossipsub-style: ACCEPT, REJECT only for faults the sender can see (the bytes are
 * wrong), IGNORE for everything that depends on the receiver's own state. Each check opens with the spec's words.
 * Pure: the caller passes the time and the trust state. One adapter in node/ maps outcomes to libp2p results,
 * logs and metrics (labelled by `code`).
 */
import type { CborMap } from './cbor.ts'
import { decodeCanonical, isMap } from './cbor.ts'
import { MAX_CLOCK_SKEW_MS, MAX_ENVELOPE_BYTES } from './constants.ts'
import { parseEnvelope, sigStructureView } from './cose.ts'
import { ProtocolError } from './errors.ts'
import { recordId } from './ids.ts'
import { checkPublicKey, verifySignature } from './keys.ts'
import type { DecodedRecord, RecordType } from './records/index.ts'
import { parsePayload, RECORD_SPECS, recordTypeOf, TRUST_TYPES } from './records/index.ts'
import type { TrustState } from './trust.ts'
import { parseCheckpoint } from './audit/checkpoint.ts'
import { parseNote } from './audit/note.ts'
import { originNation } from './records/audit.ts'

/** REJECT: the sender could have seen the fault (spec §6.1). */
export const REJECT_CODES = ['oversize', 'undecodable', 'non_canonical', 'bad_envelope', 'malformed', 'weak_key', 'bad_signature', 'bad_evidence'] as const
/** IGNORE: depends on what this receiver knows or its clock (spec §6.2). */
export const IGNORE_CODES = [
  'unknown_type',
  'duplicate',
  'clock_skew',
  'charter_unknown',
  'charter_conflict',
  'unknown_issuer',
  'unknown_signer',
  'expired_signer',
  'revoked_signer',
  'role_missing',
  'unknown_log',
] as const

export type RejectCode = (typeof REJECT_CODES)[number]
export type IgnoreCode = (typeof IGNORE_CODES)[number]
export type ValidationCode = 'ok' | RejectCode | IgnoreCode
export type Action = 'accept' | 'ignore' | 'reject'

export type Outcome =
  | { action: 'accept'; code: 'ok'; record: DecodedRecord }
  | { action: 'ignore' | 'reject'; code: ValidationCode; message: string; record?: DecodedRecord }

export interface ValidationContext {
  /** The receiver's clock, ms since the Unix epoch. */
  now: number
  trust: TrustState
  /** Whether the receiver already holds a record with this ID. */
  isKnown?: (id: string) => boolean
  /**
   * recordId(bytes), when the caller has computed it already (the door does, to look the record up first): the
   * envelope is then hashed once, not twice. It must be the ID of these very bytes.
   */
  id?: string
}

const reject = (code: RejectCode, message: string): Outcome => ({ action: 'reject', code, message })
const ignore = (code: IgnoreCode, message: string, record?: DecodedRecord): Outcome => ({ action: 'ignore', code, message, record })

/** ProtocolError codes from the decoders → REJECT codes. */
function fromError(e: unknown): Outcome {
  if (!(e instanceof ProtocolError)) throw e
  switch (e.code) {
    case 'limit':
      return reject('oversize', e.message)
    case 'unsupported':
    case 'bad_id':
      return reject('malformed', e.message)
    default:
      return reject(e.code, e.message)
  }
}

function decodeWithId(bytes: Uint8Array, id: string | undefined): Outcome {
  // [REJECT oversize] The envelope is larger than MAX_ENVELOPE_BYTES (checked before anything is decoded).
  if (bytes.length > MAX_ENVELOPE_BYTES) return reject('oversize', `envelope of ${bytes.length} bytes exceeds ${MAX_ENVELOPE_BYTES}`)
  try {
    // [REJECT undecodable | non_canonical | bad_envelope] The bytes are not a COSE_Sign1 in the fixed form of §3.2.
    const env = parseEnvelope(bytes)
    // [IGNORE unknown_type] The content type is not one this receiver knows (a newer version may define it).
    const type = recordTypeOf(env.contentType)
    if (type === undefined) return ignore('unknown_type', `unknown content type ${JSON.stringify(env.contentType.slice(0, 100))}`)
    const spec = RECORD_SPECS[type]
    // [REJECT oversize] The envelope is larger than the type's own limit.
    if (bytes.length > spec.maxBytes) return reject('oversize', `${type} envelope of ${bytes.length} bytes exceeds ${spec.maxBytes}`)
    // [REJECT weak_key] The kid is not a canonical encoding of a point of large order.
    const keyCheck = checkPublicKey(env.kid)
    if (keyCheck !== 'ok') return reject('weak_key', `signer key is ${keyCheck === 'small_order' ? 'of small order' : 'not canonical'}`)
    // [REJECT undecodable | non_canonical | malformed] The payload is not deterministic CBOR, or not a map of the
    // type's fields plus `created`.
    const value = decodeCanonical(env.payload, spec.decodeLimits)
    if (!isMap(value)) return reject('malformed', 'payload is not a map')
    const { created, body } = parsePayload(type, value as CborMap)
    // [REJECT bad_signature] The Ed25519 signature over the Sig_structure does not verify (§3.3).
    const sig = verifySignature(env.kid, sigStructureView(env.protectedBytes, env.payload), env.signature)
    if (sig !== 'ok') return reject(sig, 'signature does not verify')
    // One private copy of the envelope; signer and payload are views into it (the caller may reuse its buffer).
    // (Offsets computed inline: no closure allocated per record.)
    const own = bytes.slice()
    const kidAt = env.kid.byteOffset - bytes.byteOffset
    const payloadAt = env.payload.byteOffset - bytes.byteOffset
    const signer = own.subarray(kidAt, kidAt + env.kid.length)
    const payload = own.subarray(payloadAt, payloadAt + env.payload.length)
    const record = { id: id ?? recordId(bytes), bytes: own, type, signer, created, body, payload } as DecodedRecord
    return { action: 'accept', code: 'ok', record }
  } catch (e) {
    return fromError(e)
  }
}

/** Stateless checks (§6.1): size, envelope, canonical payload, schema, signature. */
export function decodeRecord(bytes: Uint8Array): Outcome {
  return decodeWithId(bytes, undefined)
}

/** The full pipeline (§6): stateless checks, then duplicate, clock and trust checks against `ctx`. */
export function validateRecord(bytes: Uint8Array, ctx: ValidationContext): Outcome {
  if (bytes.length > MAX_ENVELOPE_BYTES) return reject('oversize', `envelope of ${bytes.length} bytes exceeds ${MAX_ENVELOPE_BYTES}`)
  const id = ctx.id ?? recordId(bytes)
  // [IGNORE duplicate] The receiver already holds a record with this ID.
  if (ctx.isKnown?.(id) === true) return ignore('duplicate', `already known: ${id}`)
  const decoded = decodeWithId(bytes, id)
  if (decoded.action !== 'accept') return decoded
  const r = decoded.record
  // [IGNORE clock_skew] `created` is more than MAX_CLOCK_SKEW_MS ahead of the receiver's clock.
  if (r.created > ctx.now + MAX_CLOCK_SKEW_MS) return ignore('clock_skew', `created ${r.created - ctx.now} ms in the future`, r)
  return authorize(r, ctx.trust) ?? decoded
}

/** §6.2 signer checks; undefined = accept. Exported for callers that already ran decodeRecord (the dashboard). */
export function authorize(r: DecodedRecord, trust: TrustState): Outcome | undefined {
  const rule = RECORD_SPECS[r.type as RecordType].signer
  switch (r.type) {
    case 'FederationCharter': {
      if (r.id === trust.genesisCharterId) return undefined
      const pred = (r as DecodedRecord<'FederationCharter'>).body.predecessor
      // [IGNORE charter_unknown] A charter that is not the pinned genesis and whose predecessor is not in the chain in
      // effect (§5.2: it waits until the predecessor takes effect).
      if (pred === null) return ignore('charter_unknown', 'a genesis charter other than the pinned one', r)
      const p = trust.charter(pred.toString())
      if (p === undefined || !trust.inChain(p.id)) return ignore('charter_unknown', `predecessor ${pred.toString()} is not a charter in effect`, r)
      // [IGNORE unknown_issuer] The proposer is not a member root of the predecessor.
      if (!p.nationByRoot.has(Buffer.from(r.signer).toString('hex'))) return ignore('unknown_issuer', 'proposer is not a member root of the predecessor', r)
      // [IGNORE charter_conflict] The predecessor has another known successor: neither takes effect.
      if (trust.successorsOf(p.id).some((s) => s !== r.id)) return ignore('charter_conflict', `competing successor of ${p.id}`, r)
      return undefined
    }
    case 'CharterApproval': {
      const target = (r as DecodedRecord<'CharterApproval'>).body.charter.toString()
      const c = trust.charter(target)
      // [IGNORE charter_unknown] The approved charter is not known.
      if (c === undefined) return ignore('charter_unknown', `charter ${target} is not known`, r)
      const p = c.predecessorId === null ? undefined : trust.charter(c.predecessorId)
      // [IGNORE unknown_issuer] The approver is not a member root of the approved charter's predecessor.
      if (p === undefined || !p.nationByRoot.has(Buffer.from(r.signer).toString('hex'))) return ignore('unknown_issuer', 'approver is not a member root of the predecessor', r)
      // [IGNORE charter_conflict] The approved charter competes with another successor.
      if (trust.successorsOf(p.id).length > 1) return ignore('charter_conflict', `competing successors of ${p.id}`, r)
      return undefined
    }
    case 'SiteCertificate': {
      const at = trust.charterAt(r.created)
      // [IGNORE charter_unknown] No charter is in effect at the certificate's `created`.
      if (at === undefined) return ignore('charter_unknown', 'no charter in effect', r)
      // [IGNORE unknown_issuer] The signer is not the root key the charter lists for the certificate's nation.
      const nation = (r as DecodedRecord<'SiteCertificate'>).body.nation
      if (at.charter.rootsByNation.get(nation) !== Buffer.from(r.signer).toString('hex')) return ignore('unknown_issuer', `signer is not the root of ${nation}`, r)
      return undefined
    }
    case 'Revocation': {
      const body = (r as DecodedRecord<'Revocation'>).body
      const self = body.target_key !== undefined && Buffer.compare(body.target_key, r.signer) === 0
      if (trust.charterAt(r.created) === undefined) return ignore('charter_unknown', 'no charter in effect', r)
      // A site may revoke its own key if it holds (or held) a certificate, even an expired or revoked one.
      if (self) return trust.siteStatus(r.signer, r.created).status === 'unknown' ? ignore('unknown_signer', 'self-revocation by a key never certified', r) : undefined
      // [IGNORE unknown_issuer] The signer is neither a member root at `created` nor the revoked key itself.
      if (trust.rootAt(r.signer, r.created) === undefined) return ignore('unknown_issuer', 'signer is not a member root', r)
      return undefined
    }
    default: {
      if (rule === 'root' || rule === 'root-or-site') return undefined
      const s = trust.siteStatus(r.signer, r.created)
      // [IGNORE unknown_signer | expired_signer | revoked_signer] The signer holds no certificate valid and
      // unrevoked at `created`, issued by its nation's root in the charter in effect then.
      if (s.status !== 'ok') {
        if (s.status === 'expired') return ignore('expired_signer', 'signer certificate not valid at created', r)
        if (s.status === 'revoked') return ignore('revoked_signer', 'signer revoked at created', r)
        return ignore(trust.charterAt(r.created) === undefined ? 'charter_unknown' : 'unknown_signer', 'signer is not certified', r)
      }
      // [IGNORE role_missing] The signer's certificate lacks the role the record type requires.
      if (rule !== 'site' && !s.site.roles.includes(rule)) return ignore('role_missing', `signer lacks role '${rule}'`, r)
      if (r.type === 'AuditCheckpoint' || r.type === 'AuditEquivocation') return authorizeLog(r as DecodedRecord<'AuditCheckpoint' | 'AuditEquivocation'>, trust)
      return undefined
    }
  }
}

/**
 * [IGNORE unknown_log] §4.11: the log an audit record is about holds a certificate valid at `created` of the nation
 * its origin names — a checkpoint of a key no nation certified proves nothing about a member.
 */
function authorizeLog(r: DecodedRecord<'AuditCheckpoint' | 'AuditEquivocation'>, trust: TrustState): Outcome | undefined {
  const note = 'note' in r.body ? r.body.note : r.body.a
  const nation = originNation(parseCheckpoint(parseNote(note).text).origin)
  const s = trust.siteStatus(r.body.log, r.created)
  if (s.status !== 'ok' || s.site.nation !== nation) return ignore('unknown_log', `the log key holds no valid certificate of ${String(nation)} at created`, r)
  return undefined
}

/**
 * Whether an outcome's record must be fed to TrustState.apply (spec §5.7): every record of a trust type that passed
 * the stateless checks — accepted or IGNOREd (a competing charter must reach the trust state to be detected).
 */
export function feedsTrust(o: Outcome): o is Outcome & { record: DecodedRecord } {
  return o.record !== undefined && TRUST_TYPES.has(o.record.type)
}
