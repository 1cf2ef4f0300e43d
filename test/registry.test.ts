/**
 * One registry (issue 11): every record type is declared once in protocol/records/index.ts (RECORD_SPECS), and every
 * list of types elsewhere — trust types, federation types, hello order, topics, store indexes — is derived from it.
 * This test checks each derived list against the registry, and the registry against the spec's tables.
 */
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import {
  CONTENT_TYPES, FEDERATION_RECORD_TYPES, HELLO_TYPES, RECORD_SPECS, RECORD_TYPES, TOPIC_FAMILIES, TRUST_TYPES,
  createRecord, feedsTrust, isFederationType, isRecordType, isTrustType, specOf,
} from '../protocol/index.ts'
import type { DecodedRecord, RecordType } from '../protocol/index.ts'
import { TOPIC_OF_FAMILY, TOPICS, topicForType } from '../node/net/topics.ts'
import { FEDERATION_TYPES } from '../node/store/trust.ts'
import { FEDERATION_RECORD_TYPES as STORE_FEDERATION_TYPES, metaOf } from '../node/store/store.ts'
import { KEYS, T0, sampleBody } from './protocol/fixtures.ts'

const spec = (name: string): string => readFileSync(new URL(`../specs/${name}`, import.meta.url), 'utf8')
const byRule = (pred: (t: RecordType) => boolean): RecordType[] => RECORD_TYPES.filter(pred)

test('every record type has a topic family, and its topic is that family\'s', () => {
  for (const t of RECORD_TYPES) {
    assert.ok(TOPIC_FAMILIES.includes(RECORD_SPECS[t].family), `${t} has no topic family`)
    assert.equal(topicForType(t), TOPIC_OF_FAMILY[RECORD_SPECS[t].family], t)
  }
  assert.deepEqual(new Set(Object.values(TOPIC_OF_FAMILY)), new Set(TOPICS))
  // Only own keys of the registry name a type: no topic for Object.prototype's names.
  for (const name of ['__proto__', 'toString', 'constructor', 'hasOwnProperty']) {
    assert.equal(topicForType(name), undefined, name)
    assert.equal(isRecordType(name), false, name)
    assert.equal(specOf(name), undefined, name)
  }
})

test('network-v1 §4 topic table lists exactly the registry\'s families', () => {
  const rows = [...spec('network-v1.md').matchAll(/^\| `(\/aip\/1\/\w+)` \| ([A-Za-z, ]+) \|$/gm)]
  assert.equal(rows.length, TOPICS.length)
  for (const [, topic, types] of rows) {
    const listed = types!.split(',').map((s) => s.trim()).sort()
    assert.deepEqual(listed, byRule((t) => topicForType(t) === topic).sort(), topic)
  }
})

test('aip-v1 §4 record-type table lists every type with the registry\'s content type', () => {
  const rows = [...spec('aip-v1.md').matchAll(/^\| (\w+) \| `(application\/aip\.[a-z-]+\.v1\+cbor)` \| `(\w+)` \|/gm)]
  assert.deepEqual(rows.map((r) => r[1]), RECORD_TYPES)
  for (const [, type, ct] of rows) assert.equal(CONTENT_TYPES[type as RecordType], ct, type)
})

test('trust types: derived from the registry, in dependency order; the store replays exactly those', () => {
  const expected = byRule((t) => RECORD_SPECS[t].trust)
  assert.deepEqual([...TRUST_TYPES], expected)
  assert.deepEqual([...FEDERATION_TYPES], expected)
  assert.deepEqual(expected, ['FederationCharter', 'CharterApproval', 'SiteCertificate', 'Revocation', 'Retraction'])
  for (const t of RECORD_TYPES) assert.equal(isTrustType(t), RECORD_SPECS[t].trust, t)
  // feedsTrust follows the registry: a certificate feeds it, a result does not.
  const cert = createRecord('SiteCertificate', sampleBody('SiteCertificate'), KEYS.rootCH, T0)
  const result = createRecord('BenchmarkResult', sampleBody('BenchmarkResult'), KEYS.siteCH, T0)
  assert.ok(feedsTrust({ action: 'ignore', code: 'unknown_issuer', message: '', record: cert }))
  assert.ok(!feedsTrust({ action: 'accept', code: 'ok', record: result }))
})

test('federation records and hello: the federation family, in hello priority order', () => {
  const federation = byRule((t) => RECORD_SPECS[t].family === 'federation')
  assert.deepEqual([...FEDERATION_RECORD_TYPES], federation)
  assert.deepEqual([...STORE_FEDERATION_TYPES], federation) // what a tombstone never withdraws nor blocks (§4.5)
  for (const t of RECORD_TYPES) assert.equal(isFederationType(t), federation.includes(t), t)
  // network-v1 §3: the charter chain, revocations, then certificates.
  assert.deepEqual(HELLO_TYPES, ['FederationCharter', 'CharterApproval', 'Revocation', 'SiteCertificate'])
  assert.deepEqual([...HELLO_TYPES].sort(), [...federation].sort())
  assert.deepEqual(byRule((t) => RECORD_SPECS[t].hello !== undefined).sort(), [...HELLO_TYPES].sort())
})

test('store indexes: metaOf indexes exactly the body links the registry names', () => {
  for (const t of RECORD_TYPES) {
    const signer = RECORD_SPECS[t].signer === 'root' ? KEYS.rootCH : KEYS.siteCH
    const r: DecodedRecord = createRecord(t, sampleBody(t), signer, T0)
    const meta = metaOf(r)
    const index = RECORD_SPECS[t].index ?? []
    assert.deepEqual(Object.keys(meta).filter((k) => k === 'suite' || k === 'model').sort(), [...index].sort(), t)
    for (const k of index) assert.equal(meta[k], String((r.body as unknown as Record<string, unknown>)[k]), `${t}.${k}`)
  }
  assert.deepEqual(byRule((t) => RECORD_SPECS[t].index !== undefined), ['BenchmarkResult'])
})
