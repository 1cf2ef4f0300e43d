/**
 * The record types of AIP v1 (spec §4), declared once: RECORD_SPECS holds, per type, the content type, envelope
 * size and decode limits, who may sign, the payload reader, the gossip topic family, whether it feeds the trust
 * state, its place in a hello and the store's index keys. Every list of types elsewhere is derived from it. To add a
 * record type: write protocol/records/NAME.ts (body interface + parse function), add one row to the table below
 * (the body type is the reader's return type), list it in specs/aip-v1.md §4 and the CDDL, and add vectors
 * (CONTRIBUTING.md "Adding a record type").
 */
import type { CborMap, CborValue, DecodeLimits } from '../cbor.ts'
import { encodeCanonical, setOwn } from '../cbor.ts'
import * as C from '../constants.ts'
import { envelope, protectedHeader, sigStructure } from '../cose.ts'
import { ProtocolError } from '../errors.ts'
import { recordId } from '../ids.ts'
import type { SigningKey } from '../keys.ts'
import { sign } from '../keys.ts'
import { uint } from './schema.ts'
import { parseAlignmentBundle, parseAlignmentChunk } from './alignment-bundle.ts'
import { parseAlignmentReview } from './alignment-review.ts'
import { parseAuditCheckpoint, parseAuditEquivocation } from './audit.ts'
import { parseBenchmarkResult } from './benchmark-result.ts'
import { parseBenchmarkSuite, parseBenchmarkSuiteChunk } from './benchmark-suite.ts'
import { parseTranscript, parseTranscriptChunk } from './transcript.ts'
import { parseCharterApproval, parseFederationCharter } from './charter.ts'
import { parseModelCommitment } from './model-commitment.ts'
import { parseRetraction } from './retraction.ts'
import { parseRevocation } from './revocation.ts'
import { parseTuningRecord } from './tuning-record.ts'
import type { Role } from './site-certificate.ts'
import { parseSiteCertificate } from './site-certificate.ts'

/**
 * Who may sign a record type (spec §5.3): 'root' = a member nation's root key; 'root-or-site' = a root, or a site
 * key acting on itself; a Role = a certified site key holding that role; 'site' = any certified site key.
 */
export type SignerRule = 'root' | 'root-or-site' | 'site' | Role

/**
 * The gossip topic family that carries a record type (network-v1 §4). The topic names live in node/net/topics.ts;
 * which family a type belongs to is declared here, once.
 */
export type TopicFamily = 'federation' | 'results' | 'alignment'
export const TOPIC_FAMILIES: readonly TopicFamily[] = ['federation', 'results', 'alignment']

/** Body fields holding a link that the store indexes (node/store `RecordMeta`): results by suite, by model. */
export type IndexKey = 'suite' | 'model'

/**
 * Everything a record type means, declared once. Every list of record types (trust types, federation types, hello
 * order, topics, store indexes) is derived from this table (test/protocol/registry.test.ts).
 */
export interface RecordSpec<B = unknown> {
  contentType: string
  /** Envelope size limit (spec §4 table). */
  maxBytes: number
  signer: SignerRule
  /** The type's strict payload reader (protocol/records/NAME.ts): a closed map in, the typed body out. */
  parse: (m: CborMap) => B
  /** Payload decode limits for this type (one object, reused). */
  decodeLimits: DecodeLimits
  /** network-v1 §4: the topic family that carries it. */
  family: TopicFamily
  /** spec §5.7: records of this type are fed to TrustState.apply (accepted or IGNOREd). */
  trust: boolean
  /**
   * network-v1 §3: the type's place in a hello (1 = first), for the four types a hello carries; absent = never in a
   * hello. Hello carries exactly the federation family.
   */
  hello?: number
  /** Body link fields the store indexes (node/store metaOf), if any. */
  index?: readonly IndexKey[]
}

const ct = (name: string) => `application/aip.${name}.v1+cbor`
const limits = (maxBytes: number): DecodeLimits => ({ maxBytes })

/** One row per type: content type, size and decode limits, signer rule, reader, topic family, trust, hello order, indexes. */
function spec<B>(name: string, maxBytes: number, signer: SignerRule, parse: (m: CborMap) => B,
  family: TopicFamily, extra: { trust?: boolean; hello?: number; index?: readonly IndexKey[] } = {}): RecordSpec<B> {
  return { contentType: ct(name), maxBytes, signer, parse, decodeLimits: limits(maxBytes), family, trust: extra.trust ?? false, hello: extra.hello, index: extra.index }
}

/**
 * THE table. Row order matters once: trust types replay in this order (charters, approvals, certificates,
 * revocations, retractions — each depends only on rows above it).
 */
const TABLE = {
  FederationCharter: spec('federation-charter', C.MAX_FEDERATION_CHARTER_BYTES, 'root', parseFederationCharter, 'federation', { trust: true, hello: 1 }),
  CharterApproval: spec('charter-approval', C.MAX_CHARTER_APPROVAL_BYTES, 'root', parseCharterApproval, 'federation', { trust: true, hello: 2 }),
  SiteCertificate: spec('site-certificate', C.MAX_SITE_CERTIFICATE_BYTES, 'root', parseSiteCertificate, 'federation', { trust: true, hello: 4 }),
  Revocation: spec('revocation', C.MAX_REVOCATION_BYTES, 'root-or-site', parseRevocation, 'federation', { trust: true, hello: 3 }),
  Retraction: spec('retraction', C.MAX_RETRACTION_BYTES, 'site', parseRetraction, 'results', { trust: true }),
  ModelCommitment: spec('model-commitment', C.MAX_MODEL_COMMITMENT_BYTES, 'evaluator', parseModelCommitment, 'results'),
  BenchmarkSuite: spec('benchmark-suite', C.MAX_BENCHMARK_SUITE_BYTES, 'curator', parseBenchmarkSuite, 'results'),
  BenchmarkSuiteChunk: spec('benchmark-suite-chunk', C.MAX_BENCHMARK_SUITE_CHUNK_BYTES, 'curator', parseBenchmarkSuiteChunk, 'results'),
  BenchmarkResult: spec('benchmark-result', C.MAX_BENCHMARK_RESULT_BYTES, 'evaluator', parseBenchmarkResult, 'results', { index: ['suite', 'model'] }),
  Transcript: spec('transcript', C.MAX_TRANSCRIPT_BYTES, 'evaluator', parseTranscript, 'results'),
  TranscriptChunk: spec('transcript-chunk', C.MAX_TRANSCRIPT_CHUNK_BYTES, 'evaluator', parseTranscriptChunk, 'results'),
  AlignmentBundle: spec('alignment-bundle', C.MAX_ALIGNMENT_BUNDLE_BYTES, 'curator', parseAlignmentBundle, 'alignment'),
  AlignmentChunk: spec('alignment-chunk', C.MAX_ALIGNMENT_CHUNK_BYTES, 'curator', parseAlignmentChunk, 'alignment'),
  AlignmentReview: spec('alignment-review', C.MAX_ALIGNMENT_REVIEW_BYTES, 'site', parseAlignmentReview, 'alignment'),
  AuditCheckpoint: spec('audit-checkpoint', C.MAX_AUDIT_CHECKPOINT_BYTES, 'site', parseAuditCheckpoint, 'results'),
  AuditEquivocation: spec('audit-equivocation', C.MAX_AUDIT_EQUIVOCATION_BYTES, 'site', parseAuditEquivocation, 'results'),
  TuningRecord: spec('tuning-record', C.MAX_TUNING_RECORD_BYTES, 'evaluator', parseTuningRecord, 'results'),
}

export type RecordType = keyof typeof TABLE
/** Each type's body, as its reader returns it (field names as on the wire). */
export type BodyMap = { [T in RecordType]: ReturnType<(typeof TABLE)[T]['parse']> }
export type BodyOf<T extends RecordType> = BodyMap[T]

export const RECORD_SPECS: { readonly [T in RecordType]: RecordSpec<BodyMap[T]> } = TABLE

/** Every record type, in the table's order (for trust types: the dependency order a replay uses). */
export const RECORD_TYPES = Object.keys(RECORD_SPECS) as RecordType[]

/** Whether a string names a record type of this table (own keys only: '__proto__' or 'toString' name none). */
export function isRecordType(type: string): type is RecordType {
  return Object.hasOwn(RECORD_SPECS, type)
}

/** The registry row of a type named by a string (a store's or a peer's), or undefined. */
export function specOf(type: string): RecordSpec | undefined {
  return isRecordType(type) ? (RECORD_SPECS[type] as RecordSpec) : undefined
}

/** spec §5.7: the types fed to the trust state, in dependency order (charters before approvals before certificates…). */
export const TRUST_TYPES: ReadonlySet<RecordType> = new Set(RECORD_TYPES.filter((t) => RECORD_SPECS[t].trust))

/**
 * spec §5: the federation records — charters, approvals, certificates, revocations (the 'federation' topic family).
 * A Retraction never withdraws one and a tombstone never blocks one (§4.5); a hello carries only these.
 */
export const FEDERATION_RECORD_TYPES: ReadonlySet<RecordType> = new Set(RECORD_TYPES.filter((t) => RECORD_SPECS[t].family === 'federation'))

/** network-v1 §3: the types a hello carries, in its order of priority. */
export const HELLO_TYPES: readonly RecordType[] = RECORD_TYPES.filter((t) => RECORD_SPECS[t].hello !== undefined)
  .sort((a, b) => RECORD_SPECS[a].hello! - RECORD_SPECS[b].hello!)

/** Whether records of this type feed the trust state (spec §5.7). */
export function isTrustType(type: string): boolean {
  return isRecordType(type) && RECORD_SPECS[type].trust
}

/** Whether this is a federation record type (spec §5): never withdrawn by a Retraction (§4.5). */
export function isFederationType(type: string): boolean {
  return isRecordType(type) && RECORD_SPECS[type].family === 'federation'
}

export const CONTENT_TYPES = Object.fromEntries(RECORD_TYPES.map((t) => [t, RECORD_SPECS[t].contentType])) as Record<RecordType, string>

const TYPE_BY_CONTENT_TYPE = new Map<string, RecordType>(RECORD_TYPES.map((t) => [RECORD_SPECS[t].contentType, t]))

/** The record type of a content type, or undefined for one this implementation does not know. */
export function recordTypeOf(contentType: string): RecordType | undefined {
  return TYPE_BY_CONTENT_TYPE.get(contentType)
}

export interface DecodedRecord<T extends RecordType = RecordType> {
  /** CIDv1 raw sha2-256 of `bytes` ('bafkrei…'). */
  id: string
  /** The full envelope bytes, from the 0xD2 tag on. */
  bytes: Uint8Array
  type: T
  /** The kid: the signer's 32-byte Ed25519 public key. */
  signer: Uint8Array
  /** The signer's `created` time, ms since the Unix epoch. */
  created: number
  body: BodyOf<T>
  /** The deterministic-CBOR payload (body fields plus `created`). */
  payload: Uint8Array
}

/** Drops `undefined` members (optional fields left unset) so a typed body becomes a CBOR value. */
function toCbor(v: unknown): CborValue {
  if (Array.isArray(v)) return v.map(toCbor)
  if (typeof v === 'object' && v !== null && !(v instanceof Uint8Array) && Object.getPrototypeOf(v) === Object.prototype) {
    const out: CborMap = {}
    for (const [k, x] of Object.entries(v)) if (x !== undefined) setOwn(out, k, toCbor(x))
    return out
  }
  return v as CborValue
}

/** Reads a decoded payload map into a typed body (spec §4): `created` plus the type's own fields. */
export function parsePayload<T extends RecordType>(type: T, m: CborMap): { created: number; body: BodyOf<T> } {
  const created = uint(Object.hasOwn(m, 'created') ? m.created : undefined, 'created')
  const rest: CborMap = {}
  for (const k of Object.keys(m)) if (k !== 'created') setOwn(rest, k, m[k]!) // own keys stay own: '__proto__' too (§3.5)
  return { created, body: RECORD_SPECS[type].parse(rest) }
}

/**
 * Builds and signs a record. The body is checked by the same reader receivers use, so a producer cannot emit a
 * record its peers would reject (throws ProtocolError: 'malformed', 'weak_key', 'unsupported', or 'limit' when
 * the envelope would exceed the type's size limit).
 */
export function createRecord<T extends RecordType>(type: T, body: BodyOf<T>, key: SigningKey, created: number): DecodedRecord<T> {
  const spec = RECORD_SPECS[type]
  const cbor = toCbor(body)
  if (typeof cbor !== 'object' || cbor === null || Array.isArray(cbor) || cbor instanceof Uint8Array) throw new ProtocolError('malformed', 'body must be a map')
  const map = cbor as CborMap
  if (Object.hasOwn(map, 'created')) throw new ProtocolError('malformed', "body must not contain 'created' (pass it as an argument)")
  const payloadMap: CborMap = { ...map, created } // spread defines own properties ('__proto__' included)
  const payload = encodeCanonical(payloadMap)
  const parsed = parsePayload(type, payloadMap)
  const prot = protectedHeader(spec.contentType, key.publicKey)
  const signature = sign(key, sigStructure(prot, payload))
  const bytes = envelope(prot, payload, signature)
  if (bytes.length > spec.maxBytes) throw new ProtocolError('limit', `${type} envelope of ${bytes.length} bytes exceeds ${spec.maxBytes}`)
  return { id: recordId(bytes), bytes, type, signer: Uint8Array.from(key.publicKey), created: parsed.created, body: parsed.body, payload }
}
