/**
 * Hostile input (issue 2 §Validation outcomes): every input gets an outcome with a code — never a throw, a hang or
 * an allocation beyond the input's bounds. Seeded mutations of valid records of every type, plus crafted bombs.
 */
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { createRecord, RECORD_TYPES, CONTENT_TYPES } from '../../protocol/records/index.ts'
import { validateRecord, decodeRecord, REJECT_CODES, IGNORE_CODES } from '../../protocol/validate.ts'
import { devFederation } from '../../protocol/dev.ts'
import { TrustState } from '../../protocol/trust.ts'
import { protectedHeader, sigStructure, envelope } from '../../protocol/cose.ts'
import { sign } from '../../protocol/keys.ts'
import { MAX_ENVELOPE_BYTES } from '../../protocol/constants.ts'
import { KEYS, T0, DAY, sampleBody } from './fixtures.ts'

const CODES = new Set<string>(['ok', ...REJECT_CODES, ...IGNORE_CODES])
const fed = devFederation({ nation: 'CH', rootKey: KEYS.rootCH, siteKey: KEYS.siteCH, created: T0 })
const trust = new TrustState(fed.charter.id)
trust.apply(fed.charter)
trust.apply(fed.certificate)
const ctx = { now: T0 + DAY, trust }

function rng(seed: number) {
  let s = seed >>> 0
  return (n: number) => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0
    return s % n
  }
}

function outcomeOf(bytes: Uint8Array) {
  const o = validateRecord(bytes, ctx)
  assert.ok(CODES.has(o.code), `unknown code ${o.code}`)
  return o
}

test('seeded mutations of every record type never throw and are never accepted', () => {
  const r = rng(2026)
  for (const type of RECORD_TYPES) {
    const key = ['FederationCharter', 'CharterApproval', 'SiteCertificate'].includes(type) ? KEYS.rootCH : KEYS.siteCH
    const good = createRecord(type, sampleBody(type), key, T0 + 1000).bytes
    for (let i = 0; i < 150; i++) {
      let b = good.slice()
      const op = r(4)
      const at = r(b.length)
      if (op === 0) b[at] = r(256)
      else if (op === 1) b = new Uint8Array([...b.subarray(0, at), ...b.subarray(at + 1)])
      else if (op === 2) b = new Uint8Array([...b.subarray(0, at), r(256), ...b.subarray(at)])
      else b = b.subarray(0, at)
      const o = outcomeOf(b)
      if (Buffer.compare(b, good) !== 0) assert.notEqual(o.action, 'accept', `${type} mutation ${i} accepted`)
    }
  }
})

test('random byte strings and random CBOR-looking prefixes get a code', () => {
  const r = rng(7)
  for (let i = 0; i < 2000; i++) {
    const len = r(300)
    const b = new Uint8Array(len)
    for (let j = 0; j < len; j++) b[j] = r(256)
    if (len > 2 && r(2) === 0) {
      b[0] = 0xd2
      b[1] = 0x84
    }
    outcomeOf(b)
  }
})

/** A correctly signed envelope around arbitrary payload bytes: the payload decoder is the only line of defence. */
function signedPayload(payload: Uint8Array): Uint8Array {
  const prot = protectedHeader(CONTENT_TYPES.AlignmentChunk, KEYS.siteCH.publicKey)
  return envelope(prot, payload, sign(KEYS.siteCH, sigStructure(prot, payload)))
}

test('bombs inside a validly signed envelope: depth, declared lengths, item counts', () => {
  // 100 000 nested arrays: refused by depth, no stack overflow.
  assert.equal(outcomeOf(signedPayload(new Uint8Array(100_000).fill(0x81))).code, 'oversize')
  // An array claiming 2^32 − 1 elements in a few bytes: refused before allocating.
  assert.equal(outcomeOf(signedPayload(Uint8Array.from([0x9a, 0xff, 0xff, 0xff, 0xff, 0x00]))).code, 'undecodable')
  // A byte string claiming 2^53 − 1 bytes.
  assert.equal(outcomeOf(signedPayload(Uint8Array.from([0x5b, 0x00, 0x1f, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff]))).code, 'undecodable')
  // An array of 100 000 one-byte items: refused by the item limit.
  const big = new Uint8Array(5 + 100_000).fill(0x00)
  big.set([0x9a, 0x00, 0x01, 0x86, 0xa0])
  assert.equal(outcomeOf(signedPayload(big)).code, 'oversize')
  // One byte over the global limit: refused before anything is parsed.
  const huge = new Uint8Array(MAX_ENVELOPE_BYTES + 1)
  assert.equal(decodeRecord(huge).code, 'oversize')
  assert.equal(outcomeOf(huge).code, 'oversize')
})

test('every truncation of a valid record is refused with a code', () => {
  const good = createRecord('BenchmarkResult', sampleBody('BenchmarkResult'), KEYS.siteCH, T0 + 1000).bytes
  for (let n = 0; n < good.length; n++) assert.equal(outcomeOf(good.subarray(0, n)).action, 'reject')
})
