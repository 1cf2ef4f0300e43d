import { test } from 'node:test'
import assert from 'node:assert/strict'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { ROLES, createRecord, devFederation, generateSigningKey, parseRecordId } from '../../../protocol/index.ts'
import { RecordStore } from '../../../node/store/store.ts'
import { loadTrust } from '../../../node/store/trust.ts'
import { RecordDoor } from '../../../node/records/index.ts'
import { SignerLimits } from '../../../node/net/signer-limits.ts'

const T0 = 1_800_000_000_000
const root = generateSigningKey(new Uint8Array(32).fill(10))
const site = generateSigningKey(new Uint8Array(32).fill(11))
const other = generateSigningKey(new Uint8Array(32).fill(12))
const fed = devFederation({ nation: 'CH', rootKey: root, siteKey: site, created: T0 })
const target = parseRecordId('bafkreigh2akiscaildcqabsyg3dfr6chu3fgpregiymsck7e7aqa4s52zy')

async function withDoor(fn: (door: RecordDoor, store: RecordStore, loc: string) => Promise<void>): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'aip-door-'))
  const loc = join(dir, 'store')
  const store = await RecordStore.open(loc)
  try {
    const now = T0 + 1000
    const door = new RecordDoor(store, await loadTrust(store, fed.charter.id), { now: () => now })
    for (const r of [fed.charter, fed.certificate]) assert.equal((await door.admit(r.bytes, { via: 'import' })).action, 'accept')
    await fn(door, store, loc)
  } finally {
    await store.close()
    await rm(dir, { recursive: true, force: true })
  }
}

test('accepts, stores and reports duplicates; rejected and ignored records are not stored', () => withDoor(async (door, store) => {
  const r = createRecord('Retraction', { target, reason: 'a' }, site, T0 + 10)
  assert.deepEqual(await door.admit(r.bytes, { via: 'import' }).then((o) => [o.action, o.code, o.id]), ['accept', 'ok', r.id])
  assert.deepEqual(await door.admit(r.bytes, { via: 'import' }).then((o) => [o.action, o.code]), ['ignore', 'duplicate'])
  const stranger = createRecord('Retraction', { target, reason: 'b' }, other, T0 + 10)
  assert.deepEqual(await door.admit(stranger.bytes, { via: 'import' }).then((o) => [o.action, o.code]), ['ignore', 'unknown_signer'])
  const tampered = Uint8Array.from(r.bytes)
  tampered[tampered.length - 5] ^= 0xff
  assert.equal((await door.admit(tampered, { via: 'import' })).action, 'reject')
  assert.equal(await store.count(), 3)
}))

test('a federation record changes trust at once; loadTrust rebuilds the same state from the store', () => withDoor(async (door, store) => {
  const cert = createRecord('SiteCertificate', { site_key: other.publicKey, nation: 'CH', roles: [...ROLES], not_before: T0, not_after: T0 + 86_400_000 }, root, T0 + 5)
  const rec = createRecord('Retraction', { target, reason: 'c' }, other, T0 + 10)
  assert.equal((await door.admit(rec.bytes, { via: 'import' })).code, 'unknown_signer')
  assert.equal((await door.admit(cert.bytes, { via: 'import' })).action, 'accept')
  // aip-v1 §5.7: the trust state had buffered the Retraction; placed now, it was re-validated and stored
  assert.deepEqual(await door.admit(rec.bytes, { via: 'import' }).then((o) => [o.action, o.code]), ['ignore', 'duplicate'])
  assert.equal(await store.has(rec.id), true)
  const rebuilt = await loadTrust(store, fed.charter.id)
  assert.equal(rebuilt.siteAt(other.publicKey, T0 + 10)?.certificateId, cert.id)
  assert.equal(rebuilt.currentCharter()?.charter.id, fed.charter.id)
}))

test('a Retraction tombstones its signer\'s target; another signer\'s retraction leaves it alone', () => withDoor(async (door, store) => {
  const cert = createRecord('SiteCertificate', { site_key: other.publicKey, nation: 'CH', roles: [...ROLES], not_before: T0, not_after: T0 + 86_400_000 }, root, T0 + 5)
  await door.admit(cert.bytes, { via: 'import' })
  const mine = createRecord('Retraction', { target, reason: 'the record to withdraw' }, site, T0 + 10)
  await door.admit(mine.bytes, { via: 'import' })
  const byOther = createRecord('Retraction', { target: parseRecordId(mine.id), reason: 'not yours' }, other, T0 + 20)
  assert.equal((await door.admit(byOther.bytes, { via: 'import' })).action, 'accept')
  assert.equal(await store.has(mine.id), true)
  const own = createRecord('Retraction', { target: parseRecordId(mine.id), reason: 'wrong result' }, site, T0 + 30)
  assert.equal((await door.admit(own.bytes, { via: 'import' })).action, 'accept')
  assert.equal(await store.has(mine.id), false)
  assert.equal(await store.isTombstoned(mine.id), true)
  assert.deepEqual(await door.admit(mine.bytes, { via: 'import' }).then((o) => [o.action, o.code]), ['ignore', 'tombstoned'])
  assert.deepEqual((await store.checkIntegrity()).problems, [])
}))

test('a competing successor charter is IGNOREd yet reaches the trust state, which raises an operator alert (aip-v1 §5.7)', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'aip-door-'))
  const store = await RecordStore.open(join(dir, 'store'))
  try {
    const now = T0 + 1000
    const alerts: string[] = []
    const door = new RecordDoor(store, await loadTrust(store, fed.charter.id), { now: () => now })
    door.on('alert', ({ alert }) => alerts.push(alert))
    for (const r of [fed.charter, fed.certificate]) assert.equal((await door.admit(r.bytes, { via: 'import' })).action, 'accept')
    const members = [{ nation: 'CH', root_key: root.publicKey }]
    const succ = (name: string) => createRecord('FederationCharter', { name, members, quorum: 1, predecessor: parseRecordId(fed.charter.id) }, root, T0 + 100)
    const a = succ('successor-a')
    const b = succ('successor-b')
    await door.admit(a.bytes, { via: 'import' })
    const second = await door.admit(b.bytes, { via: 'import' })
    assert.equal(second.action, 'ignore')
    assert.equal(await store.has(b.id), false)
    assert.equal(alerts.length, 1, 'the fork was not detected')
    assert.match(alerts[0]!, /competing successor/)
    assert.equal(door.trust.currentCharter()?.charter.id, fed.charter.id)
  } finally {
    await store.close()
    await rm(dir, { recursive: true, force: true })
  }
})

test('a Revocation withdraws the records its signer made from effective_from on, also those that arrived first (aip-v1 §4.4)', () => withDoor(async (door, store) => {
  const cert = createRecord('SiteCertificate', { site_key: other.publicKey, nation: 'CH', roles: [...ROLES], not_before: T0, not_after: T0 + 86_400_000 }, root, T0 + 5)
  assert.equal((await door.admit(cert.bytes, { via: 'import' })).action, 'accept')
  const commitment = (name: string, created: number) => createRecord('ModelCommitment', {
    name, weights_root: new Uint8Array(32).fill(1), config_sha256: new Uint8Array(32).fill(2),
    architecture: { family: 'mixtral-lasa' }, params_total: 10, params_active_per_token: 5,
  }, other, created)
  const before = commitment('made before the revocation takes effect', T0 + 10)
  const after = commitment('made after the revocation takes effect', T0 + 50)
  for (const r of [before, after]) assert.equal((await door.admit(r.bytes, { via: 'import' })).action, 'accept')
  const byCert = createRecord('Revocation', { target: parseRecordId(cert.id), effective_from: T0 + 30, reason: 'key compromised' }, root, T0 + 60)
  assert.equal((await door.admit(byCert.bytes, { via: 'import' })).action, 'accept')
  assert.equal(await store.has(before.id), true, 'a record made before effective_from was withdrawn')
  assert.equal(await store.has(after.id), false, 'a record made after effective_from is still held')
  assert.equal(await store.isTombstoned(after.id), true)
  assert.equal(await store.has(cert.id), true, 'federation records stay')
  assert.equal((await door.admit(after.bytes, { via: 'import' })).action, 'ignore', 'a withdrawn record came back')
  assert.deepEqual((await store.checkIntegrity()).problems, [])
}))

test('signer limits charge records from peers only: the operator\'s import is never charged as a peer (network-v1 §7)', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'aip-door-'))
  const store = await RecordStore.open(join(dir, 'store'))
  try {
    const now = T0 + 1000
    const limits = new SignerLimits({ ratePerS: 0.001, burst: 1, quotaRecords: 1000, quotaBytes: 1e9 })
    const door = new RecordDoor(store, await loadTrust(store, fed.charter.id), { now: () => now, limits })
    for (const r of [fed.charter, fed.certificate]) assert.equal((await door.admit(r.bytes, { via: 'import' })).action, 'accept')
    const retraction = (i: number) => createRecord('Retraction', { target, reason: `r${i}` }, site, T0 + 10 + i)
    for (let i = 0; i < 3; i++) assert.equal((await door.admit(retraction(i).bytes, { via: i % 2 === 0 ? 'import' : 'api' })).code, 'ok')
    assert.equal((await door.admit(retraction(3).bytes, { via: 'sync', peer: 'p' })).code, 'ok', 'the burst of one')
    assert.deepEqual(await door.admit(retraction(4).bytes, { via: 'gossip', peer: 'p', topic: '/aip/1/results' }).then((o) => [o.action, o.code]), ['ignore', 'rate_limited'])
    assert.equal((await door.admit(retraction(5).bytes, { via: 'local' })).code, 'ok')
  } finally {
    await store.close()
    await rm(dir, { recursive: true, force: true })
  }
})
