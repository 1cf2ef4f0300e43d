/**
 * The record types of AIP v1 (spec §4): content type, envelope size limit, who may sign, and the payload reader
 * for each. To add a record type: write protocol/records/NAME.ts (body interface + parse function), add one row
 * to RECORD_SPECS and one to BodyMap, list it in specs/aip-v1.md §4 and the CDDL, and add vectors.
 */
import type { CborMap, CborValue, DecodeLimits } from '../cbor.ts'
import { encodeCanonical } from '../cbor.ts'
import * as C from '../constants.ts'
import { envelope, protectedHeader, sigStructure } from '../cose.ts'
import { ProtocolError } from '../errors.ts'
import { recordId } from '../ids.ts'
import type { SigningKey } from '../keys.ts'
import { sign } from '../keys.ts'
import { uint } from './schema.ts'
import type { AlignmentBundleBody, AlignmentChunkBody } from './alignment-bundle.ts'
import { parseAlignmentBundle, parseAlignmentChunk } from './alignment-bundle.ts'
import type { BenchmarkResultBody } from './benchmark-result.ts'
import { parseBenchmarkResult } from './benchmark-result.ts'
import type { BenchmarkSuiteBody, BenchmarkSuiteChunkBody } from './benchmark-suite.ts'
import { parseBenchmarkSuite, parseBenchmarkSuiteChunk } from './benchmark-suite.ts'
import type { CharterApprovalBody, FederationCharterBody } from './charter.ts'
import { parseCharterApproval, parseFederationCharter } from './charter.ts'
import type { ModelCommitmentBody } from './model-commitment.ts'
import { parseModelCommitment } from './model-commitment.ts'
import type { RetractionBody } from './retraction.ts'
import { parseRetraction } from './retraction.ts'
import type { RevocationBody } from './revocation.ts'
import { parseRevocation } from './revocation.ts'
import type { Role, SiteCertificateBody } from './site-certificate.ts'
import { parseSiteCertificate } from './site-certificate.ts'

export interface BodyMap {
  FederationCharter: FederationCharterBody
  CharterApproval: CharterApprovalBody
  SiteCertificate: SiteCertificateBody
  Revocation: RevocationBody
  Retraction: RetractionBody
  ModelCommitment: ModelCommitmentBody
  BenchmarkSuite: BenchmarkSuiteBody
  BenchmarkSuiteChunk: BenchmarkSuiteChunkBody
  BenchmarkResult: BenchmarkResultBody
  AlignmentBundle: AlignmentBundleBody
  AlignmentChunk: AlignmentChunkBody
}
export type RecordType = keyof BodyMap
export type BodyOf<T extends RecordType> = BodyMap[T]

/**
 * Who may sign a record type (spec §5.3): 'root' = a member nation's root key; 'root-or-site' = a root, or a site
 * key acting on itself; a Role = a certified site key holding that role; 'site' = any certified site key.
 */
export type SignerRule = 'root' | 'root-or-site' | 'site' | Role

interface RecordSpec<T extends RecordType> {
  contentType: string
  maxBytes: number
  signer: SignerRule
  parse: (m: CborMap) => BodyMap[T]
  /** Payload decode limits for this type (one object, reused). */
  decodeLimits: DecodeLimits
}

const ct = (name: string) => `application/aip.${name}.v1+cbor`
const limits = (maxBytes: number): DecodeLimits => ({ maxBytes })

export const RECORD_SPECS: { [T in RecordType]: RecordSpec<T> } = {
  FederationCharter: { contentType: ct('federation-charter'), maxBytes: C.MAX_FEDERATION_CHARTER_BYTES, signer: 'root', parse: parseFederationCharter, decodeLimits: limits(C.MAX_FEDERATION_CHARTER_BYTES) },
  CharterApproval: { contentType: ct('charter-approval'), maxBytes: C.MAX_CHARTER_APPROVAL_BYTES, signer: 'root', parse: parseCharterApproval, decodeLimits: limits(C.MAX_CHARTER_APPROVAL_BYTES) },
  SiteCertificate: { contentType: ct('site-certificate'), maxBytes: C.MAX_SITE_CERTIFICATE_BYTES, signer: 'root', parse: parseSiteCertificate, decodeLimits: limits(C.MAX_SITE_CERTIFICATE_BYTES) },
  Revocation: { contentType: ct('revocation'), maxBytes: C.MAX_REVOCATION_BYTES, signer: 'root-or-site', parse: parseRevocation, decodeLimits: limits(C.MAX_REVOCATION_BYTES) },
  Retraction: { contentType: ct('retraction'), maxBytes: C.MAX_RETRACTION_BYTES, signer: 'site', parse: parseRetraction, decodeLimits: limits(C.MAX_RETRACTION_BYTES) },
  ModelCommitment: { contentType: ct('model-commitment'), maxBytes: C.MAX_MODEL_COMMITMENT_BYTES, signer: 'evaluator', parse: parseModelCommitment, decodeLimits: limits(C.MAX_MODEL_COMMITMENT_BYTES) },
  BenchmarkSuite: { contentType: ct('benchmark-suite'), maxBytes: C.MAX_BENCHMARK_SUITE_BYTES, signer: 'curator', parse: parseBenchmarkSuite, decodeLimits: limits(C.MAX_BENCHMARK_SUITE_BYTES) },
  BenchmarkSuiteChunk: { contentType: ct('benchmark-suite-chunk'), maxBytes: C.MAX_BENCHMARK_SUITE_CHUNK_BYTES, signer: 'curator', parse: parseBenchmarkSuiteChunk, decodeLimits: limits(C.MAX_BENCHMARK_SUITE_CHUNK_BYTES) },
  BenchmarkResult: { contentType: ct('benchmark-result'), maxBytes: C.MAX_BENCHMARK_RESULT_BYTES, signer: 'evaluator', parse: parseBenchmarkResult, decodeLimits: limits(C.MAX_BENCHMARK_RESULT_BYTES) },
  AlignmentBundle: { contentType: ct('alignment-bundle'), maxBytes: C.MAX_ALIGNMENT_BUNDLE_BYTES, signer: 'curator', parse: parseAlignmentBundle, decodeLimits: limits(C.MAX_ALIGNMENT_BUNDLE_BYTES) },
  AlignmentChunk: { contentType: ct('alignment-chunk'), maxBytes: C.MAX_ALIGNMENT_CHUNK_BYTES, signer: 'curator', parse: parseAlignmentChunk, decodeLimits: limits(C.MAX_ALIGNMENT_CHUNK_BYTES) },
}

export const RECORD_TYPES = Object.keys(RECORD_SPECS) as RecordType[]

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
    for (const [k, x] of Object.entries(v)) if (x !== undefined) out[k] = toCbor(x)
    return out
  }
  return v as CborValue
}

/** Reads a decoded payload map into a typed body (spec §4): `created` plus the type's own fields. */
export function parsePayload<T extends RecordType>(type: T, m: CborMap): { created: number; body: BodyOf<T> } {
  const created = uint(m.created, 'created')
  const rest: CborMap = {}
  for (const k of Object.keys(m)) if (k !== 'created') rest[k] = m[k]!
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
  if ('created' in map) throw new ProtocolError('malformed', "body must not contain 'created' (pass it as an argument)")
  const payloadMap: CborMap = { ...map, created }
  const payload = encodeCanonical(payloadMap)
  const parsed = parsePayload(type, payloadMap)
  const prot = protectedHeader(spec.contentType, key.publicKey)
  const signature = sign(key, sigStructure(prot, payload))
  const bytes = envelope(prot, payload, signature)
  if (bytes.length > spec.maxBytes) throw new ProtocolError('limit', `${type} envelope of ${bytes.length} bytes exceeds ${spec.maxBytes}`)
  return { id: recordId(bytes), bytes, type, signer: Uint8Array.from(key.publicKey), created: parsed.created, body: parsed.body, payload }
}
