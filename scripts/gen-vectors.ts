/**
 * Regenerates specs/vectors/*.json byte-identically from fixed seeds and fixed times (format: specs/vectors/README.md).
 * Usage: node --import tsx scripts/gen-vectors.ts [--check]   (--check: exit 1 if the committed files differ)
 * test/protocol/vectors.test.ts calls buildVectors() and compares with the committed files.
 */
import { createHash, createPublicKey, verify as nativeVerify } from 'node:crypto'
import { readFileSync, writeFileSync } from 'node:fs'
import { pathToFileURL } from 'node:url'
import * as ed from '@noble/ed25519'
import { sha512 } from '@noble/hashes/sha2.js'
import { encodeCanonical, decodeCanonical, setOwn, ProtocolError, envelope, protectedHeader, sigStructure, parseEnvelope, recordId, parseRecordId, sign, verifySignature, verifySignatureNoble, merkleRoot, inclusionProof, weightsLeaf, sortTensorNames, createRecord, CONTENT_TYPES, RECORD_SPECS, TrustState, validateRecord } from '../protocol/index.ts'
import type { CborMap, CborValue, SigningKey, BodyOf, RecordType } from '../protocol/index.ts'
import { KEYS, T0, DAY, sampleBody, seededKey, fakeLink, digest, auditNote } from '../test/protocol/fixtures.ts'
import { auditOrigin, consistencyProof, ed25519Signer, equivocationBody, formatCheckpoint, formatNote, leafHash, rangeHash, signNote, subtreesOf } from '../protocol/index.ts'
import type { AuditEquivocationBody } from '../protocol/index.ts'

const hex = (b: Uint8Array) => Buffer.from(b).toString('hex')
const unhex = (s: string) => new Uint8Array(Buffer.from(s, 'hex'))
const L = 2n ** 252n + 27742317777372353535851937790883648493n
const le32 = (n: bigint) => Uint8Array.from({ length: 32 }, (_, i) => Number((n >> BigInt(8 * i)) & 0xffn))
const fromLe = (b: Uint8Array) => b.reduceRight((acc, x) => (acc << 8n) | BigInt(x), 0n)
const NOW = T0 + 30 * DAY
const { rootCH, rootDE, rootFR, siteCH, siteDE, siteFR, outsider } = KEYS

export interface Context {
  now: number
  genesis: string
  records: string[]
  known?: string[]
}

/** A vector's context as written: the records are IDs into the file's `record_pool`. */
export interface VectorContext {
  name: string
  now: number
  genesis: string
  records: string[]
  known?: string[]
}

export interface RecordVector {
  description: string
  expected: 'accept' | 'reject' | 'ignore'
  reason?: string
  context: VectorContext
  type?: string
  encoded: string
  id: string
  public_key?: string
  signing_input?: string
  payload?: string
}

// ------------------------------------------------------------------------------------------------------------
// Contexts: federation records a receiver already holds (spec §5), named and shared by the vectors.

const devFed = (() => {
  const charter = createRecord('FederationCharter', { name: 'dev federation CH', members: [{ nation: 'CH', root_key: rootCH.publicKey }], quorum: 1, predecessor: null }, rootCH, T0)
  const certificate = createRecord('SiteCertificate', { site_key: siteCH.publicKey, nation: 'CH', roles: ['evaluator', 'curator'], not_before: T0, not_after: T0 + 365 * DAY, name: 'ch-1' }, rootCH, T0)
  const curatorCert = createRecord('SiteCertificate', { site_key: siteFR.publicKey, nation: 'CH', roles: ['curator'], not_before: T0, not_after: T0 + 365 * DAY }, rootCH, T0)
  const shortCert = createRecord('SiteCertificate', { site_key: siteDE.publicKey, nation: 'CH', roles: ['evaluator'], not_before: T0, not_after: T0 + 10 * DAY }, rootCH, T0)
  const revocation = createRecord('Revocation', { target_key: outsider.publicKey, effective_from: T0 + 20 * DAY, reason: 'key compromise' }, rootCH, T0 + 21 * DAY)
  const outsiderCert = createRecord('SiteCertificate', { site_key: outsider.publicKey, nation: 'CH', roles: ['evaluator'], not_before: T0, not_after: T0 + 365 * DAY }, rootCH, T0)
  return { charter, certificate, curatorCert, shortCert, revocation, outsiderCert }
})()

const multiFed = (() => {
  const genesis = createRecord('FederationCharter', { name: 'AIP federation', members: [{ nation: 'CH', root_key: rootCH.publicKey }, { nation: 'DE', root_key: rootDE.publicKey }], quorum: 2, predecessor: null }, rootCH, T0)
  const members3 = [{ nation: 'CH', root_key: rootCH.publicKey }, { nation: 'DE', root_key: rootDE.publicKey }, { nation: 'FR', root_key: rootFR.publicKey }]
  const successor = createRecord('FederationCharter', { name: 'AIP federation + FR', members: members3, quorum: 2, predecessor: parseRecordId(genesis.id) }, rootCH, T0 + 10 * DAY)
  const approval = createRecord('CharterApproval', { charter: parseRecordId(successor.id) }, rootDE, T0 + 11 * DAY)
  const certFR = createRecord('SiteCertificate', { site_key: siteFR.publicKey, nation: 'FR', roles: ['evaluator', 'curator'], not_before: T0 + 12 * DAY, not_after: T0 + 377 * DAY }, rootFR, T0 + 12 * DAY)
  const rival = createRecord('FederationCharter', { name: 'rival', members: [{ nation: 'DE', root_key: rootDE.publicKey }], quorum: 1, predecessor: parseRecordId(genesis.id) }, rootDE, T0 + 10 * DAY)
  return { genesis, successor, approval, certFR, rival }
})()

export const CONTEXTS: Record<string, Context> = {
  empty: { now: NOW, genesis: devFed.charter.id, records: [] },
  dev: { now: NOW, genesis: devFed.charter.id, records: [devFed.charter, devFed.certificate, devFed.curatorCert, devFed.shortCert, devFed.outsiderCert, devFed.revocation].map((r) => hex(r.bytes)) },
  multi: { now: NOW, genesis: multiFed.genesis.id, records: [multiFed.genesis, multiFed.successor, multiFed.approval, multiFed.certFR].map((r) => hex(r.bytes)) },
  multi_genesis_only: { now: NOW, genesis: multiFed.genesis.id, records: [hex(multiFed.genesis.bytes)] },
  proposed: { now: NOW, genesis: multiFed.genesis.id, records: [multiFed.genesis, multiFed.successor].map((r) => hex(r.bytes)) },
  fork: { now: NOW, genesis: multiFed.genesis.id, records: [multiFed.genesis, multiFed.successor, multiFed.approval].map((r) => hex(r.bytes)) },
  forked: { now: NOW, genesis: multiFed.genesis.id, records: [multiFed.genesis, multiFed.successor, multiFed.approval, multiFed.rival].map((r) => hex(r.bytes)) },
}

// ------------------------------------------------------------------------------------------------------------
// Low-level builders for envelopes the normal API refuses to make.

/** A correctly signed envelope over arbitrary payload bytes and content type. */
function signRaw(key: SigningKey, contentType: string, payload: Uint8Array): Uint8Array {
  const prot = protectedHeader(contentType, key.publicKey)
  return envelope(prot, payload, sign(key, sigStructure(prot, payload)))
}

/** Splices raw bytes into a payload: encode `before`, then replace the encoding of `marker` by `raw`. */
function spliced(map: CborMap, marker: string, raw: string): Uint8Array {
  const h = hex(encodeCanonical(map))
  const m = hex(encodeCanonical(marker))
  if (!h.includes(m)) throw new Error('marker not found')
  return unhex(h.replace(m, raw))
}

/** Signs with a mixed-order key A' = aB + T8 (T8 of order 8), grinding `created` until k mod 8 is (or is not) 0. */
function mixedOrderRecord(cofactorlessValid: boolean): Uint8Array {
  const seed = digest('aip-v1 mixed-order key')
  const ext = ed.utils.getExtendedPublicKey(seed)
  const t8 = ed.Point.fromHex('c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac037a', false)
  const mixedA = ext.point.add(t8).toBytes()
  const prot = protectedHeader(CONTENT_TYPES.Retraction, mixedA)
  for (let created = T0 + DAY; ; created++) {
    const payload = encodeCanonical({ target: fakeLink('result'), reason: 'mixed-order key', created })
    const msg = sigStructure(prot, payload)
    const r = fromLe(sha512(new Uint8Array([...ext.prefix, ...msg]))) % L
    const R = ed.Point.BASE.multiply(r).toBytes()
    const k = fromLe(sha512(new Uint8Array([...R, ...mixedA, ...msg]))) % L
    if ((k % 8n === 0n) !== cofactorlessValid) continue
    const S = (r + k * ext.scalar) % L
    return envelope(prot, payload, new Uint8Array([...R, ...le32(S)]))
  }
}

// ------------------------------------------------------------------------------------------------------------

function ctxFor(name: string): { now: number; trust: TrustState; isKnown: (id: string) => boolean } {
  const c = CONTEXTS[name]!
  const trust = new TrustState(c.genesis)
  for (const h of c.records) {
    const o = validateRecord(unhex(h), { now: c.now, trust })
    if (o.record === undefined) throw new Error(`context ${name}: record does not decode`)
    trust.apply(o.record)
  }
  const known = new Set(c.known ?? [])
  return { now: c.now, trust, isKnown: (id) => known.has(id) }
}

function vector(description: string, context: string, bytes: Uint8Array, expected: RecordVector['expected'], reason?: string): RecordVector {
  const out = validateRecord(bytes, ctxFor(context))
  if (out.action !== expected || (reason !== undefined && out.code !== reason)) {
    throw new Error(`vector "${description}": expected ${expected}/${reason ?? 'ok'}, got ${out.action}/${out.code}${out.action === 'accept' ? '' : ': ' + out.message}`)
  }
  const c = CONTEXTS[context]!
  const written: VectorContext = { name: context, now: c.now, genesis: c.genesis, records: c.records.map((h) => recordId(unhex(h))), ...(c.known === undefined ? {} : { known: c.known }) }
  const v: RecordVector = { description, expected, ...(reason === undefined ? {} : { reason }), context: written, encoded: hex(bytes), id: recordId(bytes) }
  if (expected === 'accept') {
    const env = parseEnvelope(bytes)
    v.type = out.record!.type
    v.public_key = hex(env.kid)
    v.signing_input = hex(sigStructure(env.protectedBytes, env.payload))
    v.payload = hex(env.payload)
  }
  return v
}

// ------------------------------------------------------------------------------------------------------------
// The vectors. Each is checked against the implementation as it is generated (vector() throws on a mismatch).

const mixedKeySeed = digest('aip-v1 mixed-order key')
const mixedKey = ed.utils.getExtendedPublicKey(mixedKeySeed).point.add(ed.Point.fromHex('c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac037a', false)).toBytes()
const mixedCert = createRecord('SiteCertificate', { site_key: mixedKey, nation: 'CH', roles: [], not_before: T0, not_after: T0 + 365 * DAY }, rootCH, T0)
CONTEXTS.dev!.records.push(hex(mixedCert.bytes))

/** alignment-v1 §2: an AMBER manifest (chunks only), audience sorted and unique. */
const AMBER_BUNDLE: BodyOf<'AlignmentBundle'> = {
  name: 'de-jailbreaks-2026-q1', kind: 'red-team', license: 'CC-BY-4.0', label: 'TLP:AMBER',
  audience: { nations: ['CH', 'FR'], groups: [{ name: 'alpine', nations: ['AT', 'CH', 'IT'] }] },
  embargo_until: T0 + 3 * DAY, item_count: 10, chunks: [fakeLink('amber-0')],
}

/** A typed body as a CBOR map (undefined members dropped), for hand-built reject vectors. */
/** A checkpoint under `log`'s origin but signed by `signer` (a forgery when they differ). */
function auditNoteBy(signer: SigningKey, log: SigningKey, nation: string, size: number, root: Uint8Array) {
  const origin = auditOrigin(nation, log.publicKey)
  return signNote(formatCheckpoint({ origin, size, root, extensions: [] }), ed25519Signer(origin, signer))
}

/** A signed note with one character of its root line changed (the signature no longer verifies). */
function tamperRoot(note: string): string {
  const lines = note.split('\n')
  lines[2] = (lines[2]![0] === 'A' ? 'B' : 'A') + lines[2]!.slice(1)
  return lines.join('\n')
}

/**
 * audit-v1 §7.3 across sizes: the log served a 5-entry tree whose entry 3 was rewritten, then a 7-entry tree that
 * extends the original. `body` proves it; `consistent` pairs the 7-tree with its real prefix (no equivocation).
 */
function splitView(): { body: AuditEquivocationBody; consistent: AuditEquivocationBody } {
  const leaves = Array.from({ length: 7 }, (_, i) => leafHash(new TextEncoder().encode(`entry ${i}`)))
  const tree = subtreesOf(leaves)
  const rewritten = subtreesOf([...leaves.slice(0, 3), leafHash(new TextEncoder().encode('entry 3, rewritten')), leaves[4]!])
  const root = (t: typeof tree, n: number) => rangeHash(t, 0, n)
  const proof = consistencyProof(tree, 5, 7)
  const b = auditNote(siteCH, 'CH', 7, root(tree, 7))
  return {
    body: equivocationBody(siteCH.publicKey, auditNote(siteCH, 'CH', 5, root(rewritten, 5)), b, { root: root(tree, 5), proof }),
    consistent: { ...equivocationBody(siteCH.publicKey, auditNote(siteCH, 'CH', 5, root(tree, 5)), b, { root: root(tree, 5), proof }) },
  }
}

const toMap = (body: object): CborMap => Object.fromEntries(Object.entries(body).filter(([, v]) => v !== undefined)) as CborMap

const rec = <T extends RecordType>(type: T, key: SigningKey, created: number, body: BodyOf<T> = sampleBody(type)) => createRecord(type, body, key, created)

function acceptVectors(): RecordVector[] {
  const t = T0 + 2 * DAY
  const ch2 = seededKey('site CH-2')
  return [
    vector('FederationCharter: the pinned genesis charter of a one-nation dev federation (no approval needed)', 'empty', devFed.charter.bytes, 'accept'),
    vector('SiteCertificate: the CH root certifies a second CH site', 'dev', rec('SiteCertificate', rootCH, t, { site_key: ch2.publicKey, nation: 'CH', roles: ['evaluator'], not_before: t, not_after: t + 90 * DAY }).bytes, 'accept'),
    vector('FederationCharter: successor adding FR, proposed by the CH root (a member of the predecessor)', 'multi_genesis_only', multiFed.successor.bytes, 'accept'),
    vector('CharterApproval: the DE root approves the successor (completes quorum 2 with the proposer)', 'proposed', multiFed.approval.bytes, 'accept'),
    vector('Revocation: the CH root revokes a certificate by CID', 'dev', rec('Revocation', rootCH, t, { target: parseRecordId(devFed.shortCert.id), effective_from: t, reason: 'reissued' }).bytes, 'accept'),
    vector('Revocation: a site revokes its own key', 'dev', rec('Revocation', siteCH, t, { target_key: siteCH.publicKey, effective_from: t + DAY, reason: 'key rotation' }).bytes, 'accept'),
    vector('Retraction: a site withdraws one of its results', 'dev', rec('Retraction', siteCH, t).bytes, 'accept'),
    vector('ModelCommitment: weights root, config hash, architecture with decimal-text fractions', 'dev', rec('ModelCommitment', siteCH, t).bytes, 'accept'),
    vector('ModelCommitment: fine-tuned model with parent link, ledger root and a non-ASCII name', 'dev', rec('ModelCommitment', siteCH, t, { ...sampleBody('ModelCommitment'), name: 'modèle-affiné-ü', parent: fakeLink('parent model'), ledger_root: digest('ledger') }).bytes, 'accept'),
    vector('BenchmarkSuite: manifest linking one chunk', 'dev', rec('BenchmarkSuite', siteCH, t).bytes, 'accept'),
    vector('BenchmarkSuiteChunk: two items, one with likelihood continuations', 'dev', rec('BenchmarkSuiteChunk', siteCH, t).bytes, 'accept'),
    vector('BenchmarkResult: ~1 KB result with six category rows', 'dev', rec('BenchmarkResult', siteCH, t).bytes, 'accept'),
    vector('Transcript: a manifest linking its result and one chunk', 'dev', rec('Transcript', siteCH, t).bytes, 'accept'),
    vector('TranscriptChunk: a likelihood entry and a generative entry', 'dev', rec('TranscriptChunk', siteCH, t).bytes, 'accept'),
    vector('AlignmentBundle: refusal exemplars inline', 'dev', rec('AlignmentBundle', siteCH, t).bytes, 'accept'),
    vector('AlignmentBundle: preference pairs split into chunk records', 'dev', rec('AlignmentBundle', siteCH, t, { name: 'prefs', kind: 'preference', license: 'CC0-1.0', label: 'TLP:CLEAR', item_count: 300, chunks: [fakeLink('a0'), fakeLink('a1')] }).bytes, 'accept'),
    vector('AlignmentBundle: TLP:AMBER manifest for two nations and a sharing group, embargoed (alignment-v1 §2)', 'dev', rec('AlignmentBundle', siteCH, t, { ...AMBER_BUNDLE }).bytes, 'accept'),
    vector('AlignmentBundle: TLP:RED manifest for one named site', 'dev', rec('AlignmentBundle', siteCH, t, { ...AMBER_BUNDLE, label: 'TLP:RED', audience: { sites: [siteFR.publicKey] } }).bytes, 'accept'),
    vector('AlignmentChunk: TLP:AMBER chunk with a conversational preference item', 'dev', rec('AlignmentChunk', siteCH, t, { kind: 'preference', label: 'TLP:AMBER', embargo_until: t + DAY, items: [{ id: 'p-2', language: 'en', context: [{ role: 'system', content: 'Be brief.' }], prompt: 'Name a colour.', chosen: 'Blue.', rejected: 'No.' }] }).bytes, 'accept'),
    vector('AlignmentChunk: preference pairs', 'dev', rec('AlignmentChunk', siteCH, t).bytes, 'accept'),
    vector('AlignmentReview: a site approves a received bundle (alignment-v1 §4)', 'dev', rec('AlignmentReview', siteCH, t).bytes, 'accept'),
    vector('AuditCheckpoint: a site gossips its signed audit checkpoint (audit-v1 §7.4)', 'dev', rec('AuditCheckpoint', siteCH, t).bytes, 'accept'),
    vector('AuditCheckpoint: a witness (another site) gossips the checkpoint it was shown', 'dev', rec('AuditCheckpoint', siteFR, t).bytes, 'accept'),
    vector('AuditEquivocation: two checkpoints of one size with different roots (audit-v1 §7.3)', 'dev', rec('AuditEquivocation', siteFR, t).bytes, 'accept'),
    vector('AuditEquivocation: checkpoints of sizes 5 and 7 and a consistency proof showing the 7-tree starts with another 5-tree', 'dev', rec('AuditEquivocation', siteFR, t, splitView().body).bytes, 'accept'),
    vector('TuningRecord: a tuning run on one approved bundle, replayable (§4.12, tune-v1)', 'dev', rec('TuningRecord', siteCH, t).bytes, 'accept'),
    vector('ModelCommitment: tuned model linking its parent, ledger root and TuningRecord (§4.6)', 'dev', rec('ModelCommitment', siteCH, t, { ...sampleBody('ModelCommitment'), parent: fakeLink('parent model'), ledger_root: digest('ledger'), tuning: fakeLink('tuning record') }).bytes, 'accept'),
    vector('BenchmarkSuite by a curator-only site', 'dev', rec('BenchmarkSuite', siteFR, t).bytes, 'accept'),
    vector('BenchmarkResult by the FR site, created after the successor charter took effect', 'multi', rec('BenchmarkResult', siteFR, T0 + 13 * DAY).bytes, 'accept'),
    vector('created exactly MAX_CLOCK_SKEW_MS ahead of the receiver clock', 'dev', rec('Retraction', siteCH, NOW + 5 * 60_000).bytes, 'accept'),
    vector('a site key revoked from day 20 signed this on day 19: judged at created, still valid', 'dev', rec('BenchmarkResult', outsider, T0 + 19 * DAY).bytes, 'accept'),
    vector('Ed25519: mixed-order public key (not small order), k ≡ 0 mod 8 so the cofactorless equation holds', 'dev', mixedOrderRecord(true), 'accept'),
    vector('boundary: created exactly at the certificate\'s not_before (inclusive)', 'multi', rec('BenchmarkResult', siteFR, T0 + 12 * DAY).bytes, 'accept'),
    vector('boundary: created 1 ms before a key revocation\'s effective_from', 'dev', rec('Retraction', outsider, T0 + 20 * DAY - 1).bytes, 'accept'),
  ]
}

/** A map with one more own key, '__proto__' included (a plain assignment of '__proto__' would set the prototype). */
function withKey(m: CborMap, key: string, value: CborValue): CborMap {
  setOwn(m, key, value)
  return m
}

function rejectVectors(): RecordVector[] {
  const t = T0 + 2 * DAY
  const retraction = rec('Retraction', siteCH, t)
  const env = parseEnvelope(retraction.bytes)
  const retractionMap: CborMap = { target: fakeLink('result'), reason: 'wrong tokenizer', created: t }
  const ct = CONTENT_TYPES.Retraction
  const resultMap = (patch: Record<string, CborValue | undefined>): CborMap => {
    const m: CborMap = { ...(sampleBody('BenchmarkResult') as unknown as CborMap), created: t }
    for (const [k, v] of Object.entries(patch)) {
      if (v === undefined) delete m[k]
      else m[k] = v
    }
    return m
  }
  const alignMap = (): CborMap => ({ ...toMap(sampleBody('AlignmentBundle')), created: t })
  const signed = (payload: Uint8Array, type: RecordType = 'Retraction', key = siteCH) => signRaw(key, CONTENT_TYPES[type], payload)
  const withProtected = (prot: Uint8Array, payload = env.payload, key = siteCH) => envelope(prot, payload, sign(key, sigStructure(prot, payload)))
  const sig = env.signature
  const S = fromLe(sig.subarray(32))
  const smallKey = unhex('0100000000000000000000000000000000000000000000000000000000000000')
  const smallKeyEnv = (() => {
    const prot = protectedHeader(ct, smallKey)
    return envelope(prot, env.payload, new Uint8Array([...smallKey, ...new Uint8Array(32)]))
  })()
  const negZeroKey = unhex('ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff')
  const protHex = hex(env.protectedBytes)
  return [
    vector('oversize: a CharterApproval envelope above its 1024-byte limit (checked before decoding the payload)', 'dev', signRaw(rootCH, CONTENT_TYPES.CharterApproval, encodeCanonical({ charter: fakeLink('c'), created: t, pad: new Uint8Array(1100) })), 'reject', 'oversize'),
    vector('undecodable: envelope truncated by one byte', 'dev', retraction.bytes.subarray(0, retraction.bytes.length - 1), 'reject', 'undecodable'),
    vector('undecodable: one trailing byte after the envelope', 'dev', new Uint8Array([...retraction.bytes, 0x00]), 'reject', 'undecodable'),
    vector('undecodable: invalid UTF-8 in a payload text string (correctly signed)', 'dev', signed(spliced(retractionMap, 'wrong tokenizer', '6fc328')), 'reject', 'undecodable'),
    vector('undecodable: duplicate map key in the payload (correctly signed)', 'dev', signed(unhex('a4' + hex(encodeCanonical('reason')) + hex(encodeCanonical('a')) + hex(encodeCanonical('reason')) + hex(encodeCanonical('b')) + hex(encodeCanonical('target')) + hex(encodeCanonical(fakeLink('r'))) + hex(encodeCanonical('created')) + hex(encodeCanonical(t)))), 'reject', 'undecodable'),
    vector('undecodable: payload truncated inside a map (correctly signed)', 'dev', signed(encodeCanonical(retractionMap).subarray(0, 20)), 'reject', 'undecodable'),
    vector('non_canonical: payload map keys not in length-first order (correctly signed)', 'dev', signed(unhex('a3' + hex(encodeCanonical('created')) + hex(encodeCanonical(t)) + hex(encodeCanonical('reason')) + hex(encodeCanonical('x')) + hex(encodeCanonical('target')) + hex(encodeCanonical(fakeLink('r'))))), 'reject', 'non_canonical'),
    vector('non_canonical: an integer in a longer form than needed (correctly signed)', 'dev', signed(unhex(hex(encodeCanonical({ ...(sampleBody('ModelCommitment') as unknown as CborMap), created: t, params_total: 4242 })).replace(hex(encodeCanonical('params_total')) + '191092', hex(encodeCanonical('params_total')) + '1b0000000000001092')), 'ModelCommitment'), 'reject', 'non_canonical'),
    vector('non_canonical: indefinite-length text string in the payload (correctly signed)', 'dev', signed(spliced(retractionMap, 'wrong tokenizer', '7f6577726f6e676a20746f6b656e697a6572ff')), 'reject', 'non_canonical'),
    vector('non_canonical: envelope payload length written in a longer form (signature still valid)', 'dev', unhex(hex(retraction.bytes).replace('a0' + hex(encodeCanonical(env.payload)), 'a059' + env.payload.length.toString(16).padStart(4, '0') + hex(env.payload))), 'reject', 'non_canonical'),
    vector('bad_envelope: alg −8 (polymorphic EdDSA) instead of −19', 'dev', withProtected(unhex(protHex.replace(/^a30132/, 'a30127'))), 'reject', 'bad_envelope'),
    vector('bad_envelope: untagged COSE_Sign1 (no 0xD2)', 'dev', retraction.bytes.subarray(1), 'reject', 'bad_envelope'),
    vector('bad_envelope: non-empty unprotected header', 'dev', unhex(hex(retraction.bytes).replace('a0' + hex(encodeCanonical(env.payload)), 'a10401' + hex(encodeCanonical(env.payload)))), 'reject', 'bad_envelope'),
    vector('bad_envelope: protected header with an extra label', 'dev', withProtected(unhex('a4' + protHex.slice(2) + '0500')), 'reject', 'bad_envelope'),
    vector('bad_envelope: detached payload (nil)', 'dev', unhex('d284' + hex(encodeCanonical(env.protectedBytes)) + 'a0f6' + hex(encodeCanonical(sig))), 'reject', 'bad_envelope'),
    vector('bad_envelope: protected header keys in the order 3, 1, 4', 'dev', withProtected(unhex('a303' + hex(encodeCanonical(ct)) + '0132' + '045820' + hex(siteCH.publicKey))), 'reject', 'bad_envelope'),
    vector('malformed: a float in the payload (correctly signed)', 'dev', signed(spliced(resultMap({}), 'wilson-95', 'fb3fe0000000000000')), 'reject', 'malformed'),
    vector('malformed: a tag other than 42 in the payload (correctly signed)', 'dev', signed(spliced(retractionMap, 'wrong tokenizer', 'c074323032362d30312d30315430303a30303a30305a')), 'reject', 'malformed'),
    vector('malformed: an integer beyond 2^53 − 1 (correctly signed)', 'dev', signed(spliced(resultMap({}), 'wilson-95', '1b0020000000000000'), 'BenchmarkResult'), 'reject', 'malformed'),
    vector('malformed: unknown field in a BenchmarkResult', 'dev', signed(encodeCanonical(resultMap({ notes: 'extra' })), 'BenchmarkResult'), 'reject', 'malformed'),
    vector('malformed: payload whose "__proto__" key holds the fields (spec §3.5: own keys only)', 'dev', signed(encodeCanonical(withKey({ created: t }, '__proto__', { target: fakeLink('result'), reason: 'wrong tokenizer' }))), 'reject', 'malformed'),
    vector('malformed: a Retraction with an extra "__proto__" key holding an empty map (an unknown field like any other)', 'dev', signed(encodeCanonical(withKey({ ...retractionMap }, '__proto__', {}))), 'reject', 'malformed'),
    vector('malformed: TuningRecord listing one bundle twice (§4.11)', 'dev', signed(encodeCanonical({ ...toMap(sampleBody('TuningRecord')), bundles: [fakeLink('bundle'), fakeLink('bundle')], created: t }), 'TuningRecord'), 'reject', 'malformed'),
    vector('malformed: TuningRecord with replayable as an integer (§4.11)', 'dev', signed(encodeCanonical({ ...toMap(sampleBody('TuningRecord')), replayable: 1, created: t }), 'TuningRecord'), 'reject', 'malformed'),
    vector('malformed: ModelCommitment with tuning but no parent (§4.6)', 'dev', signed(encodeCanonical({ ...toMap(sampleBody('ModelCommitment')), ledger_root: digest('ledger'), tuning: fakeLink('tuning record'), created: t }), 'ModelCommitment'), 'reject', 'malformed'),
    vector('malformed: BenchmarkResult without weights_root', 'dev', signed(encodeCanonical(resultMap({ weights_root: undefined })), 'BenchmarkResult'), 'reject', 'malformed'),
    vector('malformed: score_ppm above 1 000 000', 'dev', signed(encodeCanonical(resultMap({ scores: [{ category: 'x', n: 1, score_ppm: 1_000_001, ci_low_ppm: 0, ci_high_ppm: 1_000_000 }] })), 'BenchmarkResult'), 'reject', 'malformed'),
    vector('malformed: ci_low_ppm above score_ppm', 'dev', signed(encodeCanonical(resultMap({ scores: [{ category: 'x', n: 1, score_ppm: 500_000, ci_low_ppm: 600_000, ci_high_ppm: 700_000 }] })), 'BenchmarkResult'), 'reject', 'malformed'),
    vector('malformed: decoding.temperature as an integer instead of decimal text', 'dev', signed(encodeCanonical(resultMap({ decoding: { mode: 'likelihood', max_tokens: 64, temperature: 0 } })), 'BenchmarkResult'), 'reject', 'malformed'),
    vector('malformed: decoding without mode (mode, max_tokens, temperature are required, §4.8)', 'dev', signed(encodeCanonical(resultMap({ decoding: { max_tokens: 64, temperature: '0' } })), 'BenchmarkResult'), 'reject', 'malformed'),
    vector('BenchmarkResult whose engine names its runtime and cpu (§4.8)', 'dev', signed(encodeCanonical(resultMap({ engine: { backend: 'ort', version: 'aip-kernels/1', model_name: 'm', runtime: 'node 20.20.2; onnxruntime-node 1.30.0', cpu: 'x64 AMD EPYC' } })), 'BenchmarkResult'), 'accept'),
    vector('malformed: engine.cpu as an integer (runtime and cpu are text, §4.8)', 'dev', signed(encodeCanonical(resultMap({ engine: { backend: 'ort', version: 'v', model_name: 'm', runtime: 'node 20.20.2', cpu: 64 } })), 'BenchmarkResult'), 'reject', 'malformed'),
    vector('malformed: a transcript entry with log-probabilities and a reply digest (§4.10)', 'dev', signed(encodeCanonical({ entries: [['a', 'refuse', [-1, -2], new Uint8Array(32)]], created: t }), 'TranscriptChunk'), 'reject', 'malformed'),
    vector('malformed: suite item language en-english (an unregistered variant, §3.5)', 'dev', signed(encodeCanonical({ items: [{ id: 'a', category: 'c', language: 'en-english', prompt: 'p', split: 'train', expected: 'refuse' }], created: t }), 'BenchmarkSuiteChunk'), 'reject', 'malformed'),
    vector('malformed: TLP:AMBER bundle with inline items (alignment-v1 R2)', 'dev', signed(encodeCanonical({ ...alignMap(), label: 'TLP:AMBER', audience: { nations: ['FR'] } }), 'AlignmentBundle'), 'reject', 'malformed'),
    vector('malformed: TLP:GREEN bundle with an audience (alignment-v1 R1)', 'dev', signed(encodeCanonical({ ...alignMap(), audience: { nations: ['FR'] } }), 'AlignmentBundle'), 'reject', 'malformed'),
    vector('malformed: TLP:AMBER+STRICT audience naming nations (sites only, R1)', 'dev', signed(encodeCanonical({ ...toMap({ ...AMBER_BUNDLE, label: 'TLP:AMBER+STRICT', embargo_until: undefined, audience: { nations: ['FR'] } }), created: t }), 'AlignmentBundle'), 'reject', 'malformed'),
    vector('malformed: audience nations not sorted (one wire form, R1)', 'dev', signed(encodeCanonical({ ...toMap({ ...AMBER_BUNDLE, audience: { nations: ['FR', 'CH'] } }), created: t }), 'AlignmentBundle'), 'reject', 'malformed'),
    vector('malformed: unknown TLP label', 'dev', signed(encodeCanonical({ ...alignMap(), label: 'TLP:WHITE' }), 'AlignmentBundle'), 'reject', 'malformed'),
    vector('malformed: AlignmentChunk without its label (R3)', 'dev', signed(encodeCanonical({ kind: 'refusal-exemplar', items: alignMap().items as CborValue, created: t }), 'AlignmentChunk'), 'reject', 'malformed'),
    vector('malformed: nation code not upper-case ISO 3166-1 alpha-2', 'dev', signRaw(rootCH, CONTENT_TYPES.SiteCertificate, encodeCanonical({ site_key: siteDE.publicKey, nation: 'ch', roles: [], not_before: t, not_after: t + DAY, created: t })), 'reject', 'malformed'),
    vector('malformed: payload is an array, not a map', 'dev', signed(encodeCanonical([t, 'wrong tokenizer'])), 'reject', 'malformed'),
    vector('malformed: a link that is not a raw sha2-256 CIDv1 (dag-cbor codec)', 'dev', signed(spliced({ ...retractionMap, target: 'LINK' }, 'LINK', 'd82a5825000171122' + '0' + hex(digest('x')))), 'reject', 'malformed'),
    vector('malformed: SiteCertificate with not_after before not_before', 'dev', signRaw(rootCH, CONTENT_TYPES.SiteCertificate, encodeCanonical({ site_key: siteDE.publicKey, nation: 'CH', roles: [], not_before: t, not_after: t - 1, created: t })), 'reject', 'malformed'),
    vector('bad_evidence: an "equivocation" of one checkpoint twice (consistent: a member framing another)', 'dev', signed(encodeCanonical({ ...toMap(sampleBody('AuditEquivocation')), b: toMap(sampleBody('AuditEquivocation')).a!, created: t }), 'AuditEquivocation'), 'reject', 'bad_evidence'),
    vector('bad_evidence: an equivocation whose second note is signed by the reporter, not the log', 'dev', signed(encodeCanonical({ ...toMap(sampleBody('AuditEquivocation')), b: formatNote(auditNoteBy(siteFR, siteCH, 'CH', 42, digest('forged root'))), created: t }), 'AuditEquivocation'), 'reject', 'bad_evidence'),
    vector('bad_evidence: an equivocation whose log signature does not verify (one character of the root changed)', 'dev', signed(encodeCanonical({ ...toMap(sampleBody('AuditEquivocation')), b: tamperRoot(toMap(sampleBody('AuditEquivocation')).b as string), created: t }), 'AuditEquivocation'), 'reject', 'bad_evidence'),
    vector('bad_evidence: checkpoints of sizes 5 and 7 whose proof shows they are consistent (prefix_root = a\'s root)', 'dev', signed(encodeCanonical({ ...toMap(splitView().consistent), created: t }), 'AuditEquivocation'), 'reject', 'bad_evidence'),
    vector('bad_evidence: checkpoints of different sizes without a proof', 'dev', signed(encodeCanonical({ ...toMap({ ...splitView().body, prefix_root: undefined, proof: undefined }), created: t }), 'AuditEquivocation'), 'reject', 'bad_evidence'),
    vector('bad_evidence: an AuditCheckpoint whose origin names another key than log', 'dev', signed(encodeCanonical({ log: siteFR.publicKey, note: toMap(sampleBody('AuditCheckpoint')).note!, created: t }), 'AuditCheckpoint'), 'reject', 'bad_evidence'),
    vector('weak_key: kid is the identity point; R = identity, S = 0 satisfies the RFC 8032 equation for any message', 'dev', smallKeyEnv, 'reject', 'weak_key'),
    vector('weak_key: kid is a non-canonical encoding (x = 0 with the sign bit set)', 'dev', unhex(hex(retraction.bytes).replace(hex(siteCH.publicKey), hex(negZeroKey))), 'reject', 'weak_key'),
    vector('weak_key: SiteCertificate certifying a small-order site key (order 8)', 'dev', signRaw(rootCH, CONTENT_TYPES.SiteCertificate, encodeCanonical({ site_key: unhex('c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac03fa'), nation: 'CH', roles: [], not_before: t, not_after: t + DAY, created: t })), 'reject', 'weak_key'),
    vector('bad_signature: one bit flipped in S', 'dev', (() => { const b = retraction.bytes.slice(); b[b.length - 5]! ^= 0x01; return b })(), 'reject', 'bad_signature'),
    vector('bad_signature: S replaced by S + L (same scalar mod L; malleability)', 'dev', new Uint8Array([...retraction.bytes.subarray(0, retraction.bytes.length - 32), ...le32(S + L)]), 'reject', 'bad_signature'),
    vector('bad_signature: R replaced by a point of order 8', 'dev', new Uint8Array([...retraction.bytes.subarray(0, retraction.bytes.length - 64), ...unhex('26e8958fc2b227b045c3f489f2ef98f0d5dfac05d3c63339b13802886d53fc05'), ...sig.subarray(32)]), 'reject', 'bad_signature'),
    vector('bad_signature: kid of another certified site', 'dev', unhex(hex(retraction.bytes).replace(hex(siteCH.publicKey), hex(siteDE.publicKey))), 'reject', 'bad_signature'),
    vector('bad_signature: payload changed after signing', 'dev', unhex(hex(retraction.bytes).replace(hex(new TextEncoder().encode('wrong tokenizer')), hex(new TextEncoder().encode('wrong tokenizor')))), 'reject', 'bad_signature'),
    vector('bad_signature: mixed-order key, signature valid only under the cofactored equation ([8][S]B = [8]R + [8][k]A)', 'dev', mixedOrderRecord(false), 'reject', 'bad_signature'),
  ]
}

function ignoreVectors(): RecordVector[] {
  const t = T0 + 2 * DAY
  const dup = rec('BenchmarkResult', siteCH, t + 1)
  CONTEXTS.dev_known = { ...CONTEXTS.dev!, known: [dup.id] }
  return [
    vector('unknown_type: a content type this version does not define (correctly signed)', 'dev', signRaw(siteCH, 'application/aip.weather-report.v1+cbor', encodeCanonical({ created: t, temp: '21.5' })), 'ignore', 'unknown_type'),
    vector('duplicate: the receiver already holds this record', 'dev_known', dup.bytes, 'ignore', 'duplicate'),
    vector('clock_skew: created 5 minutes and 1 ms ahead of the receiver clock', 'dev', rec('Retraction', siteCH, NOW + 5 * 60_000 + 1).bytes, 'ignore', 'clock_skew'),
    vector('charter_unknown: a certificate while the pinned genesis charter is not yet known', 'empty', rec('SiteCertificate', rootCH, t).bytes, 'ignore', 'charter_unknown'),
    vector('charter_unknown: a result while the pinned genesis charter is not yet known', 'empty', rec('BenchmarkResult', siteCH, t).bytes, 'ignore', 'charter_unknown'),
    vector('charter_unknown: a successor charter whose predecessor is unknown', 'dev', rec('FederationCharter', rootCH, t, { name: 'orphan', members: [{ nation: 'CH', root_key: rootCH.publicKey }], quorum: 1, predecessor: fakeLink('unknown charter') }).bytes, 'ignore', 'charter_unknown'),
    vector('charter_unknown: a charter whose predecessor is stored but not in effect (a successor still short of its quorum)', 'proposed', rec('FederationCharter', rootCH, T0 + 12 * DAY, { name: 'too early', members: [{ nation: 'CH', root_key: rootCH.publicKey }], quorum: 1, predecessor: parseRecordId(multiFed.successor.id) }).bytes, 'ignore', 'charter_unknown'),
    vector('charter_unknown: a second genesis charter (not the pinned one)', 'dev', rec('FederationCharter', rootDE, t, { name: 'other', members: [{ nation: 'DE', root_key: rootDE.publicKey }], quorum: 1, predecessor: null }).bytes, 'ignore', 'charter_unknown'),
    vector('charter_conflict: a second successor of the same predecessor (both are ignored, operator alerted)', 'fork', multiFed.rival.bytes, 'ignore', 'charter_conflict'),
    vector('unknown_issuer: a CH certificate signed by the DE root', 'multi', rec('SiteCertificate', rootDE, t).bytes, 'ignore', 'unknown_issuer'),
    vector('unknown_issuer: a successor charter proposed by a root that is not a member of the predecessor', 'multi_genesis_only', rec('FederationCharter', rootFR, t, { name: 'coup', members: [{ nation: 'FR', root_key: rootFR.publicKey }], quorum: 1, predecessor: parseRecordId(multiFed.genesis.id) }).bytes, 'ignore', 'unknown_issuer'),
    vector('unknown_issuer: a revocation signed by a key that is neither a member root nor the revoked key', 'dev', rec('Revocation', siteCH, t, { target_key: siteDE.publicKey, effective_from: t, reason: 'not mine to revoke' }).bytes, 'ignore', 'unknown_issuer'),
    vector('unknown_signer: a result by a key no member nation has certified', 'dev', rec('BenchmarkResult', seededKey('stranger'), t).bytes, 'ignore', 'unknown_signer'),
    vector('unknown_signer: the FR site signed before FR joined the federation (judged at created)', 'multi', rec('BenchmarkResult', siteFR, T0 + 5 * DAY).bytes, 'ignore', 'unknown_signer'),
    vector('expired_signer: signed after the certificate\'s not_after', 'dev', rec('BenchmarkResult', siteDE, T0 + 15 * DAY).bytes, 'ignore', 'expired_signer'),
    vector('revoked_signer: signed after the key\'s revocation took effect', 'dev', rec('BenchmarkResult', outsider, T0 + 25 * DAY).bytes, 'ignore', 'revoked_signer'),
    vector('role_missing: a BenchmarkResult by a site certified only as curator', 'dev', rec('BenchmarkResult', siteFR, t).bytes, 'ignore', 'role_missing'),
    vector('unknown_log: an equivocation about a log key no nation certified', 'dev', rec('AuditEquivocation', siteFR, t, equivocationBody(seededKey('stranger').publicKey, auditNote(seededKey('stranger'), 'CH', 3, digest('x')), auditNote(seededKey('stranger'), 'CH', 3, digest('y')))).bytes, 'ignore', 'unknown_log'),
    vector('unknown_log: a checkpoint of a CH site under the origin of another nation', 'dev', rec('AuditCheckpoint', siteFR, t, { log: siteCH.publicKey, note: formatNote(auditNote(siteCH, 'DE', 42, digest('audit root 42'))) }).bytes, 'ignore', 'unknown_log'),
    vector('role_missing: a TuningRecord by a site certified only as curator', 'dev', rec('TuningRecord', siteFR, t).bytes, 'ignore', 'role_missing'),
    vector('boundary: created exactly at the certificate\'s not_after (exclusive)', 'dev', rec('BenchmarkResult', siteDE, T0 + 10 * DAY).bytes, 'ignore', 'expired_signer'),
    vector('boundary: created exactly at a key revocation\'s effective_from (inclusive)', 'dev', rec('Retraction', outsider, T0 + 20 * DAY).bytes, 'ignore', 'revoked_signer'),
    vector('unknown_issuer: a CharterApproval by a root that is not a member of the predecessor', 'proposed', rec('CharterApproval', rootFR, T0 + 11 * DAY, { charter: parseRecordId(multiFed.successor.id) }).bytes, 'ignore', 'unknown_issuer'),
    vector('charter_conflict: an approval of one of two competing successors', 'forked', rec('CharterApproval', rootDE, T0 + 12 * DAY, { charter: parseRecordId(multiFed.rival.id) }).bytes, 'ignore', 'charter_conflict'),
  ]
}

// ------------------------------------------------------------------------------------------------------------
// Raw Ed25519 edge cases: the 12 vectors of Chalkias, Garillot, Nikolaenko, "Taming the many EdDSAs" (2020).

const TAMING: [string, string, string][] = [
  ['8c93255d71dcab10e8f379c26200f3c7bd5f09d9bc3068d3ef4edeb4853022b6', 'c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac03fa', 'c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac037a0000000000000000000000000000000000000000000000000000000000000000'],
  ['9bd9f44f4dcc75bd531b56b2cd280b0bb38fc1cd6d1230e14861d861de092e79', 'c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac03fa', 'f7badec5b8abeaf699583992219b7b223f1df3fbbea919844e3f7c554a43dd43a5bb704786be79fc476f91d3f3f89b03984d8068dcf1bb7dfc6637b45450ac04'],
  ['aebf3f2601a0c8c5d39cc7d8911642f740b78168218da8471772b35f9d35b9ab', 'f7badec5b8abeaf699583992219b7b223f1df3fbbea919844e3f7c554a43dd43', 'c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac03fa8c4bd45aecaca5b24fb97bc10ac27ac8751a7dfe1baff8b953ec9f5833ca260e'],
  ['9bd9f44f4dcc75bd531b56b2cd280b0bb38fc1cd6d1230e14861d861de092e79', 'cdb267ce40c5cd45306fa5d2f29731459387dbf9eb933b7bd5aed9a765b88d4d', '9046a64750444938de19f227bb80485e92b83fdb4b6506c160484c016cc1852f87909e14428a7a1d62e9f22f3d3ad7802db02eb2e688b6c52fcd6648a98bd009'],
  ['e47d62c63f830dc7a6851a0b1f33ae4bb2f507fb6cffec4011eaccd55b53f56c', 'cdb267ce40c5cd45306fa5d2f29731459387dbf9eb933b7bd5aed9a765b88d4d', '160a1cb0dc9c0258cd0a7d23e94d8fa878bcb1925f2c64246b2dee1796bed5125ec6bc982a269b723e0668e540911a9a6a58921d6925e434ab10aa7940551a09'],
  ['e47d62c63f830dc7a6851a0b1f33ae4bb2f507fb6cffec4011eaccd55b53f56c', 'cdb267ce40c5cd45306fa5d2f29731459387dbf9eb933b7bd5aed9a765b88d4d', '21122a84e0b5fca4052f5b1235c80a537878b38f3142356b2c2384ebad4668b7e40bc836dac0f71076f9abe3a53f9c03c1ceeeddb658d0030494ace586687405'],
  ['85e241a07d148b41e47d62c63f830dc7a6851a0b1f33ae4bb2f507fb6cffec40', '442aad9f089ad9e14647b1ef9099a1ff4798d78589e66f28eca69c11f582a623', 'e96f66be976d82e60150baecff9906684aebb1ef181f67a7189ac78ea23b6c0e547f7690a0e2ddcd04d87dbc3490dc19b3b3052f7ff0538cb68afb369ba3a514'],
  ['85e241a07d148b41e47d62c63f830dc7a6851a0b1f33ae4bb2f507fb6cffec40', '442aad9f089ad9e14647b1ef9099a1ff4798d78589e66f28eca69c11f582a623', '8ce5b96c8f26d0ab6c47958c9e68b937104cd36e13c33566acd2fe8d38aa19427e71f98a473474f2f13f06f97c20d58cc3f54b8bd0d272f42b695dd7e89a8c22'],
  ['9bedc267423725d473888631ebf45988bad3db83851ee85c85e241a07d148b41', 'f7badec5b8abeaf699583992219b7b223f1df3fbbea919844e3f7c554a43dd43', 'ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff03be9678ac102edcd92b0210bb34d7428d12ffc5df5f37e359941266a4e35f0f'],
  ['9bedc267423725d473888631ebf45988bad3db83851ee85c85e241a07d148b41', 'f7badec5b8abeaf699583992219b7b223f1df3fbbea919844e3f7c554a43dd43', 'ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffca8c5b64cd208982aa38d4936621a4775aa233aa0505711d8fdcfdaa943d4908'],
  ['e96b7021eb39c1a163b6da4e3093dcd3f21387da4cc4572be588fafae23c155b', 'ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff', 'a9d55260f765261eb9b84e106f665e00b867287a761990d7135963ee0a7d59dca5bb704786be79fc476f91d3f3f89b03984d8068dcf1bb7dfc6637b45450ac04'],
  ['39a591f5321bbe07fd5a23dc2f39d025d74526615746727ceefd6e82ae65c06f', 'ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff', 'a9d55260f765261eb9b84e106f665e00b867287a761990d7135963ee0a7d59dca5bb704786be79fc476f91d3f3f89b03984d8068dcf1bb7dfc6637b45450ac04'],
]
const TAMING_NOTES = [
  'S = 0, small-order A, small-order R',
  'small-order A, mixed-order R',
  'mixed-order A, small-order R',
  'mixed-order A and R; passes cofactored and cofactorless equations',
  'mixed-order A and R; passes only the cofactored equation',
  'passes cofactored only if [8][k]A is computed as [8k mod L]A (pre-reduced scalar)',
  'S > L (non-canonical S), variant 1',
  'S > L (non-canonical S), variant 2',
  'non-canonical R (small order) — accepted by libraries that reduce R before hashing',
  'non-canonical R (small order) — accepted by libraries that hash R as given',
  'non-canonical A (small order) — accepted by libraries that reduce A before hashing',
  'non-canonical A (small order) — accepted by libraries that hash A as given',
]

function ed25519Vectors(): unknown[] {
  return TAMING.map(([m, k, s], i) => {
    const aip = verifySignature(unhex(k), unhex(m), unhex(s))
    let native: boolean
    try {
      native = nativeVerify(null, unhex(m), createPublicKey({ key: Buffer.concat([Buffer.from('302a300506032b6570032100', 'hex'), unhex(k)]), format: 'der', type: 'spki' }), unhex(s))
    } catch {
      native = false
    }
    return {
      description: `Taming the many EdDSAs, vector ${i}: ${TAMING_NOTES[i]}`,
      expected: aip === 'ok' ? 'accept' : 'reject',
      ...(aip === 'ok' ? {} : { reason: aip }),
      message: m,
      public_key: k,
      signature: s,
      observed: { node_crypto_openssl: native, noble_ed25519_strict: verifySignatureNoble(unhex(k), unhex(m), unhex(s)) },
    }
  })
}

// ------------------------------------------------------------------------------------------------------------
// Weights root (spec §4.6): a tiny synthetic model.

function weightsVectors(): unknown {
  const tensors = [
    { name: 'model.layers.0.mlp.experts.w1', dtype: 'F32', shape: [16, 64, 128] },
    { name: 'model.embed_tokens.weight', dtype: 'BF16', shape: [256, 64] },
    { name: 'model.layers.0.self_attn.lasa_prior', dtype: 'F32', shape: [4, 33] },
    { name: 'lm_head.weight', dtype: 'BF16', shape: [256, 64] },
    { name: 'model.norm.weight', dtype: 'F32', shape: [64] },
  ].map((x) => ({ ...x, sha256: hex(createHash('sha256').update(`tensor bytes of ${x.name}`).digest()) }))
  const names = sortTensorNames(tensors.map((x) => x.name))
  const ordered = names.map((n) => tensors.find((x) => x.name === n)!)
  const leaves = ordered.map((x) => weightsLeaf(x.name, x.dtype, x.shape, unhex(x.sha256)))
  return {
    description: 'Weights root over five tensors listed out of order; leaves are sorted by name bytewise (UTF-8).',
    tensors,
    ordered_names: names,
    leaves: leaves.map(hex),
    weights_root: hex(merkleRoot(leaves)),
    inclusion_proofs: [0, 2, 4].map((i) => ({ index: i, proof: inclusionProof(leaves, i).map(hex) })),
    empty_root: hex(merkleRoot([])),
  }
}

// ------------------------------------------------------------------------------------------------------------
// Deterministic CBOR (spec §3.1) on its own: inputs and the code a decoder must give.

const CBOR_CASES: [string, string][] = [
  ['00', 'smallest integer'], ['17', '23 in the initial byte'], ['1818', '24 needs one byte'], ['1817', '23 written in two bytes'],
  ['190100', '256 in two bytes'], ['1900ff', '255 written in three bytes'], ['1b001fffffffffffff', '2^53 − 1'],
  ['1b0020000000000000', '2^53'], ['3b001ffffffffffffe', '−(2^53 − 1)'], ['3b001fffffffffffff', '−2^53'],
  ['1a000000ff', '255 written in five bytes'], ['1b00000000ffffffff', '2^32 − 1 written in nine bytes'],
  ['f4', 'false'], ['f5', 'true'], ['f6', 'null'], ['f7', 'undefined'], ['f0', 'simple value 16'], ['f820', 'simple value 32'],
  ['f93c00', 'half-precision 1.0'], ['fa3f800000', 'single-precision 1.0'], ['fb3ff8000000000000', 'double-precision 1.5'],
  ['40', 'empty byte string'], ['5801ff', 'one-byte byte string with a one-byte length'], ['5f4101ff', 'indefinite byte string'],
  ['60', 'empty text'], ['62c3bc', '"ü"'], ['62c328', 'invalid UTF-8'], ['63eda080', 'UTF-8 encoded surrogate (invalid)'],
  ['7f6161ff', 'indefinite text'], ['80', 'empty array'], ['9f01ff', 'indefinite array'], ['a0', 'empty map'],
  ['a2616101616202', '{"a": 1, "b": 2}'], ['a2616201616102', 'keys out of order'], ['a2616101616102', 'duplicate key'],
  ['a262616101616202', 'shorter key after a longer one'], ['a10101', 'integer key'], ['a1f601', 'null key'],
  ['b90001616101', 'map header with a two-byte count'], ['bf616101ff', 'indefinite map'],
  ['c11a514b67b0', 'tag 1 (epoch time)'], ['d82a4100', 'tag 42 too short'], ['d82a4401020304', 'tag 42 without the 00 prefix'],
  ['d82a58250001551220' + '00'.repeat(32), 'tag 42 with a raw sha2-256 CIDv1'], ['d82a01', 'tag 42 over an integer'],
  ['0000', 'trailing byte'], ['', 'empty input'], ['1c', 'reserved additional information'], ['ff', 'lone break'],
  ['9a7fffffff', 'array claiming 2^31 − 1 elements'], ['5b0020000000000000', 'byte string claiming 2^53 bytes'],
  ['db0020000000000000', 'tag number 2^53'], ['9b0000000100000000', 'array claiming 2^32 elements'], ['5a7fffffff', 'byte string claiming 2^31 − 1 bytes'],
  ['81'.repeat(16) + '00', '16 nested arrays (the limit)'], ['81'.repeat(17) + '00', '17 nested arrays'],
]

function cborVectors(): unknown[] {
  return CBOR_CASES.map(([h, description]) => {
    let expected = 'valid'
    try {
      decodeCanonical(unhex(h))
    } catch (e) {
      if (!(e instanceof ProtocolError)) throw e
      expected = e.code === 'unsupported' ? 'malformed' : e.code === 'limit' ? 'oversize' : e.code
    }
    return { description, encoded: h, expected }
  })
}

// ------------------------------------------------------------------------------------------------------------

function file(format: string, description: string, vectors: unknown, withContexts: boolean): string {
  const body: Record<string, unknown> = { format, version: 1, description }
  if (withContexts) {
    // Every context record once, by ID; vectors list the IDs their receiver holds.
    const pool: Record<string, string> = {}
    for (const c of Object.values(CONTEXTS)) for (const h of c.records) pool[recordId(unhex(h))] = h
    body.record_pool = pool
  }
  body.vectors = vectors
  return JSON.stringify(body, null, 2) + '\n'
}

/** Every vector file, name → exact contents. */
export function buildVectors(): Map<string, string> {
  const accept = acceptVectors()
  const reject = rejectVectors()
  const ignore = ignoreVectors()
  const all = [...accept, ...reject, ...ignore]
  for (const type of Object.keys(RECORD_SPECS)) if (!accept.some((v) => v.type === type)) throw new Error(`no accept vector for ${type}`)
  const out = new Map<string, string>()
  out.set('records.json', file('aip-v1-records', 'Record vectors: every record type accepted, every REJECT and IGNORE code exercised. See README.md.', all, true))
  out.set('ed25519-edge-cases.json', file('aip-v1-ed25519', "AIP's Ed25519 verification rule (spec §3.3) on the published edge cases.", ed25519Vectors(), false))
  out.set('cbor.json', file('aip-v1-cbor', 'AIP deterministic CBOR (spec §3.1): every input and the code a decoder gives (valid, or the §6.3 code).', cborVectors(), false))
  out.set('weights-root.json', file('aip-v1-weights-root', 'RFC 9162 weights root (spec §4.6).', weightsVectors(), false))
  return out
}

const VECTOR_DIR = new URL('../specs/vectors/', import.meta.url)

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const check = process.argv.includes('--check')
  let differ = 0
  for (const [name, text] of buildVectors()) {
    const url = new URL(name, VECTOR_DIR)
    if (check) {
      let old = ''
      try {
        old = readFileSync(url, 'utf8')
      } catch {
        /* missing */
      }
      if (old !== text) {
        console.error(`${name}: differs from the generated vectors`)
        differ++
      }
    } else {
      writeFileSync(url, text)
      console.log(`wrote specs/vectors/${name}`)
    }
  }
  process.exit(differ === 0 ? 0 : 1)
}
