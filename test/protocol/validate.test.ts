import { test } from 'node:test'
import assert from 'node:assert/strict'
import { createRecord, RECORD_TYPES } from '../../protocol/records/index.ts'
import { decodeRecord, validateRecord } from '../../protocol/validate.ts'
import { TrustState } from '../../protocol/trust.ts'
import { devFederation } from '../../protocol/dev.ts'
import { recordId } from '../../protocol/ids.ts'
import { KEYS, T0, DAY, sampleBody } from './fixtures.ts'
import type { CborMap as Map } from '../../protocol/cbor.ts'

function devTrust() {
  const fed = devFederation({ nation: 'CH', rootKey: KEYS.rootCH, siteKey: KEYS.siteCH, created: T0 })
  const trust = new TrustState(fed.charter.id)
  trust.apply(fed.certificate) // out of order on purpose: waits for its charter
  trust.apply(fed.charter)
  return { fed, trust }
}

test('every record type round-trips through decodeRecord', () => {
  for (const type of RECORD_TYPES) {
    const key = ['FederationCharter', 'CharterApproval', 'SiteCertificate', 'Revocation'].includes(type) ? KEYS.rootCH : KEYS.siteCH
    const r = createRecord(type, sampleBody(type), key, T0 + 1000)
    assert.equal(r.bytes[0], 0xd2)
    assert.equal(r.id, recordId(r.bytes))
    assert.match(r.id, /^bafkrei[a-z2-7]{52}$/)
    const o = decodeRecord(r.bytes)
    assert.equal(o.action, 'accept', `${type}: ${o.action !== 'accept' ? o.message : ''}`)
    assert.deepEqual(o.record!.body, r.body)
    assert.equal(o.record!.created, T0 + 1000)
  }
})

test('a dev site validates its own result; an outsider, a future record and a duplicate do not', () => {
  const { trust } = devTrust()
  const r = createRecord('BenchmarkResult', sampleBody('BenchmarkResult'), KEYS.siteCH, T0 + DAY)
  assert.equal(validateRecord(r.bytes, { now: T0 + DAY, trust }).code, 'ok')
  const o = createRecord('BenchmarkResult', sampleBody('BenchmarkResult'), KEYS.outsider, T0 + DAY)
  assert.equal(validateRecord(o.bytes, { now: T0 + DAY, trust }).code, 'unknown_signer')
  assert.equal(validateRecord(r.bytes, { now: T0 + DAY - 6 * 60_000, trust }).code, 'clock_skew')
  assert.equal(validateRecord(r.bytes, { now: T0 + DAY, trust, isKnown: (id) => id === r.id }).code, 'duplicate')
  const late = createRecord('BenchmarkResult', sampleBody('BenchmarkResult'), KEYS.siteCH, T0 + 400 * DAY)
  assert.equal(validateRecord(late.bytes, { now: T0 + 400 * DAY, trust }).code, 'expired_signer')
})

test('a flipped bit anywhere is rejected or ignored, never accepted, never thrown', () => {
  const { trust } = devTrust()
  const r = createRecord('BenchmarkResult', sampleBody('BenchmarkResult'), KEYS.siteCH, T0 + DAY)
  for (let i = 0; i < r.bytes.length; i++) {
    for (const bit of [0x01, 0x80]) {
      const b = r.bytes.slice()
      b[i]! ^= bit
      const o = validateRecord(b, { now: T0 + DAY, trust })
      assert.notEqual(o.action, 'accept', `byte ${i} bit ${bit}`)
    }
  }
})

test('feedsTrust: trust records that passed the stateless checks, accepted or ignored; never rejected ones', async () => {
  const { feedsTrust } = await import('../../protocol/validate.ts')
  const { trust, fed } = devTrust()
  const cert = createRecord('SiteCertificate', sampleBody('SiteCertificate'), KEYS.rootDE, T0 + DAY) // unknown issuer
  const o = validateRecord(cert.bytes, { now: T0 + DAY, trust })
  assert.equal(o.code, 'unknown_issuer')
  assert.ok(feedsTrust(o))
  assert.ok(feedsTrust(validateRecord(fed.certificate.bytes, { now: T0 + DAY, trust })))
  const result = createRecord('BenchmarkResult', sampleBody('BenchmarkResult'), KEYS.siteCH, T0 + DAY)
  assert.ok(!feedsTrust(validateRecord(result.bytes, { now: T0 + DAY, trust })))
  const bad = cert.bytes.slice()
  bad[bad.length - 1]! ^= 1
  assert.ok(!feedsTrust(validateRecord(bad, { now: T0 + DAY, trust })))
})

test('a decoded record owns its bytes: reusing the input buffer changes nothing', () => {
  const r = createRecord('Retraction', sampleBody('Retraction'), KEYS.siteCH, T0)
  const buf = new Uint8Array(r.bytes.length + 10)
  buf.set(r.bytes, 5)
  const input = buf.subarray(5, 5 + r.bytes.length)
  const o = decodeRecord(input)
  assert.equal(o.code, 'ok')
  const signer = Uint8Array.from(o.record!.signer)
  const payload = Uint8Array.from(o.record!.payload)
  buf.fill(0)
  assert.deepEqual(o.record!.bytes, r.bytes)
  assert.deepEqual(o.record!.signer, signer)
  assert.deepEqual(o.record!.payload, payload)
  assert.deepEqual(signer, KEYS.siteCH.publicKey)
})

test('sigStructureView writes the same bytes as sigStructure', async () => {
  const { sigStructure, sigStructureView, parseEnvelope } = await import('../../protocol/cose.ts')
  for (const type of RECORD_TYPES) {
    const r = createRecord(type, sampleBody(type), KEYS.rootCH, T0)
    const env = parseEnvelope(r.bytes)
    assert.deepEqual(Uint8Array.from(sigStructureView(env.protectedBytes, env.payload)), sigStructure(env.protectedBytes, env.payload))
  }
  const big = new Uint8Array(70_000)
  const prot = new Uint8Array(10)
  assert.deepEqual(Uint8Array.from(sigStructureView(prot, big)), sigStructure(prot, big))
})

test('closed maps use own keys only (§3.5): a "__proto__" key holding the fields is malformed, never a second wire form', async () => {
  const { encodeCanonical, setOwn, decodeCanonical } = await import('../../protocol/cbor.ts')
  const { envelope, protectedHeader, sigStructure } = await import('../../protocol/cose.ts')
  const { sign } = await import('../../protocol/keys.ts')
  const { CONTENT_TYPES, parsePayload } = await import('../../protocol/records/index.ts')
  const { trust } = devTrust()
  const signed = (type: 'Retraction' | 'FederationCharter', payload: Uint8Array, key = KEYS.siteCH) => {
    const prot = protectedHeader(CONTENT_TYPES[type], key.publicKey)
    return envelope(prot, payload, sign(key, sigStructure(prot, payload)))
  }
  const withProto = (m: Map, v: Map): Map => (setOwn(m, '__proto__', v), m)
  const honest = createRecord('Retraction', { target: sampleBody('Retraction').target, reason: 'wrong tokenizer' }, KEYS.siteCH, T0 + DAY)
  assert.equal(validateRecord(honest.bytes, { now: T0 + DAY, trust }).code, 'ok')
  // Every field under "__proto__": the same content as `honest`, another ID. REJECTed, not accepted.
  const hidden = signed('Retraction', encodeCanonical(withProto({ created: T0 + DAY }, { target: sampleBody('Retraction').target, reason: 'wrong tokenizer' })))
  const o = validateRecord(hidden, { now: T0 + DAY, trust })
  assert.deepEqual([o.action, o.code], ['reject', 'malformed'])
  // All fields present and an extra "__proto__": an unknown field like any other.
  const extra = signed('Retraction', encodeCanonical(withProto({ target: sampleBody('Retraction').target, reason: 'x', created: T0 + DAY }, {})))
  assert.deepEqual([validateRecord(extra, { now: T0 + DAY, trust }).code], ['malformed'])
  // Nested maps too: a charter member whose fields hide under "__proto__".
  const member = withProto({}, { nation: 'CH', root_key: KEYS.rootCH.publicKey })
  const charter = signed('FederationCharter', encodeCanonical({ name: 'x', members: [member], quorum: 1, predecessor: null, created: T0 }), KEYS.rootCH)
  assert.equal(decodeRecord(charter).code, 'malformed')
  // The decoder keeps the key as an own entry, never as the prototype; parsePayload keeps it own too.
  const decoded = decodeCanonical(encodeCanonical(withProto({ created: 1 }, { reason: 'x' }))) as Map
  assert.equal(Object.getPrototypeOf(decoded), Object.prototype)
  assert.deepEqual(Object.keys(decoded), ['created', '__proto__'])
  assert.throws(() => parsePayload('Retraction', decoded), /unknown field '__proto__'|missing field/)
})
