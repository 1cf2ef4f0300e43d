import { test } from 'node:test'
import assert from 'node:assert/strict'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { ROLES, createRecord, devFederation, generateSigningKey, parseRecordId } from '../../../protocol/index.ts'
import { RecordStore } from '../../../node/store/store.ts'
import { loadTrust } from '../../../node/store/trust.ts'
import { Ingestor } from '../../../node/records/ingest.ts'

const T0 = 1_800_000_000_000
const root = generateSigningKey(new Uint8Array(32).fill(10))
const site = generateSigningKey(new Uint8Array(32).fill(11))
const other = generateSigningKey(new Uint8Array(32).fill(12))
const fed = devFederation({ nation: 'CH', rootKey: root, siteKey: site, created: T0 })
const target = parseRecordId('bafkreigh2akiscaildcqabsyg3dfr6chu3fgpregiymsck7e7aqa4s52zy')

async function withIngestor(fn: (ing: Ingestor, store: RecordStore, loc: string) => Promise<void>): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'aip-ingest-'))
  const loc = join(dir, 'store')
  const store = await RecordStore.open(loc)
  try {
    const now = T0 + 1000
    const ing = new Ingestor(store, await loadTrust(store, fed.charter.id), () => now)
    for (const r of [fed.charter, fed.certificate]) assert.equal((await ing.ingest(r.bytes)).action, 'accept')
    await fn(ing, store, loc)
  } finally {
    await store.close()
    await rm(dir, { recursive: true, force: true })
  }
}

test('accepts, stores and reports duplicates; rejected and ignored records are not stored', () => withIngestor(async (ing, store) => {
  const r = createRecord('Retraction', { target, reason: 'a' }, site, T0 + 10)
  assert.deepEqual(await ing.ingest(r.bytes).then((o) => [o.action, o.code, o.id]), ['accept', 'ok', r.id])
  assert.deepEqual(await ing.ingest(r.bytes).then((o) => [o.action, o.code]), ['ignore', 'duplicate'])
  const stranger = createRecord('Retraction', { target, reason: 'b' }, other, T0 + 10)
  assert.deepEqual(await ing.ingest(stranger.bytes).then((o) => [o.action, o.code]), ['ignore', 'unknown_signer'])
  const tampered = Uint8Array.from(r.bytes)
  tampered[tampered.length - 5] ^= 0xff
  assert.equal((await ing.ingest(tampered)).action, 'reject')
  assert.equal(await store.count(), 3)
}))

test('a federation record changes trust at once; loadTrust rebuilds the same state from the store', () => withIngestor(async (ing, store) => {
  const cert = createRecord('SiteCertificate', { site_key: other.publicKey, nation: 'CH', roles: [...ROLES], not_before: T0, not_after: T0 + 86_400_000 }, root, T0 + 5)
  const rec = createRecord('Retraction', { target, reason: 'c' }, other, T0 + 10)
  assert.equal((await ing.ingest(rec.bytes)).code, 'unknown_signer')
  assert.equal((await ing.ingest(cert.bytes)).action, 'accept')
  assert.equal((await ing.ingest(rec.bytes)).action, 'accept')
  const rebuilt = await loadTrust(store, fed.charter.id)
  assert.equal(rebuilt.siteAt(other.publicKey, T0 + 10)?.certificateId, cert.id)
  assert.equal(rebuilt.currentCharter()?.charter.id, fed.charter.id)
}))

test('a Retraction tombstones its signer\'s target; another signer\'s retraction leaves it alone', () => withIngestor(async (ing, store) => {
  const cert = createRecord('SiteCertificate', { site_key: other.publicKey, nation: 'CH', roles: [...ROLES], not_before: T0, not_after: T0 + 86_400_000 }, root, T0 + 5)
  await ing.ingest(cert.bytes)
  const mine = createRecord('Retraction', { target, reason: 'the record to withdraw' }, site, T0 + 10)
  await ing.ingest(mine.bytes)
  const byOther = createRecord('Retraction', { target: parseRecordId(mine.id), reason: 'not yours' }, other, T0 + 20)
  assert.equal((await ing.ingest(byOther.bytes)).action, 'accept')
  assert.equal(await store.has(mine.id), true)
  const own = createRecord('Retraction', { target: parseRecordId(mine.id), reason: 'wrong result' }, site, T0 + 30)
  assert.equal((await ing.ingest(own.bytes)).action, 'accept')
  assert.equal(await store.has(mine.id), false)
  assert.equal(await store.isTombstoned(mine.id), true)
  assert.deepEqual(await ing.ingest(mine.bytes).then((o) => [o.action, o.code]), ['ignore', 'tombstoned'])
  assert.deepEqual((await store.checkIntegrity()).problems, [])
}))

test('a competing successor charter is IGNOREd yet reaches the trust state, which raises an operator alert (aip-v1 §5.7)', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'aip-ingest-'))
  const store = await RecordStore.open(join(dir, 'store'))
  try {
    const now = T0 + 1000
    const alerts: string[] = []
    const ing = new Ingestor(store, await loadTrust(store, fed.charter.id), () => now, (a) => alerts.push(a))
    for (const r of [fed.charter, fed.certificate]) assert.equal((await ing.ingest(r.bytes)).action, 'accept')
    const members = [{ nation: 'CH', root_key: root.publicKey }]
    const succ = (name: string) => createRecord('FederationCharter', { name, members, quorum: 1, predecessor: parseRecordId(fed.charter.id) }, root, T0 + 100)
    const a = succ('successor-a')
    const b = succ('successor-b')
    await ing.ingest(a.bytes)
    const second = await ing.ingest(b.bytes)
    assert.equal(second.action, 'ignore')
    assert.equal(await store.has(b.id), false)
    assert.equal(alerts.length, 1, 'the fork was not detected')
    assert.match(alerts[0]!, /competing successor/)
    assert.equal(ing.trust.currentCharter()?.charter.id, fed.charter.id)
  } finally {
    await store.close()
    await rm(dir, { recursive: true, force: true })
  }
})
