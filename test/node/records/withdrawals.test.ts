/**
 * What a withdrawal may and may not destroy (issue 11, faults 1, 3 and 9), on a real level store on disk, through the
 * door, across restarts: a Retraction never withdraws a federation record and a tombstone never blocks one (aip-v1
 * §4.5); a Revocation withdraws only the records whose status it changes (§4.4); a Retraction or Revocation and its
 * tombstones are one batch, so a SIGKILL between them is impossible (§4.4, §4.5).
 */
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { spawn } from 'node:child_process'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createInterface } from 'node:readline'
import { ROLES, createRecord, decodeRecord, generateSigningKey, parseRecordId } from '../../../protocol/index.ts'
import type { DecodedRecord, SigningKey } from '../../../protocol/index.ts'
import { benchmarkResult } from '../../../node/net/testbed.ts'
import { RecordDoor } from '../../../node/records/index.ts'
import { TS_EXEC_ARGV } from '../../../node/runtime.ts'
import { RecordStore } from '../../../node/store/store.ts'
import { FED, ROOT, SITE, T0 } from './withdraw-writer.ts'

const NOW = T0 + 10_000_000
const WRITER = new URL('./withdraw-writer.ts', import.meta.url).pathname
const cert = (root: SigningKey, key: SigningKey, nation: string, created: number): DecodedRecord =>
  createRecord('SiteCertificate', { site_key: key.publicKey, nation, roles: [...ROLES], not_before: T0, not_after: T0 + 365 * 86_400_000 }, root, created)

/** A door on a fresh store; `reopen()` closes it and opens a new door on the same store (a restart). */
async function withDoor(genesis: string, fn: (d: { door: RecordDoor; reopen(): Promise<RecordDoor> }) => Promise<void>): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'aip-withdraw-'))
  let store = await RecordStore.open(join(dir, 'store'))
  try {
    const door = await RecordDoor.open(store, genesis, { now: () => NOW })
    await fn({
      door,
      async reopen() {
        await store.close()
        store = await RecordStore.open(join(dir, 'store'))
        return RecordDoor.open(store, genesis, { now: () => NOW })
      },
    })
  } finally {
    await store.close()
    await rm(dir, { recursive: true, force: true })
  }
}

const admit = async (door: RecordDoor, r: DecodedRecord): Promise<string> => {
  const o = await door.admit(r.bytes, { via: 'import' })
  return `${o.action} ${o.code}`
}

test('fault 1: a Retraction never withdraws a federation record, and a tombstone never blocks one (aip-v1 §4.5)', () => withDoor(FED.charter.id, async ({ door, reopen }) => {
  for (const r of [FED.charter, FED.certificate]) assert.equal(await admit(door, r), 'accept ok')
  // A site key revokes itself, then retracts its own Revocation (backdated): the revocation must stand.
  const other = generateSigningKey(new Uint8Array(32).fill(43))
  assert.equal(await admit(door, cert(ROOT, other, 'CH', T0 + 10)), 'accept ok')
  const revocation = createRecord('Revocation', { target_key: other.publicKey, effective_from: T0 + 100, reason: 'key lost' }, other, T0 + 100)
  const retraction = createRecord('Retraction', { target: parseRecordId(revocation.id), reason: 'never mind' }, other, T0 + 50)
  // Received first, the Retraction must not block the Revocation either.
  assert.equal(await admit(door, retraction), 'accept ok')
  assert.equal(await admit(door, revocation), 'accept ok')
  // The root certifies its own key as a site and retracts the genesis charter: the charter stays.
  assert.equal(await admit(door, cert(ROOT, ROOT, 'CH', T0 + 20)), 'accept ok')
  assert.equal(await admit(door, createRecord('Retraction', { target: parseRecordId(FED.charter.id), reason: 'gone' }, ROOT, T0 + 30)), 'accept ok')
  const again = await reopen()
  assert.equal(await again.store.has(revocation.id), true, 'the Revocation was withdrawn by a Retraction')
  assert.equal(await again.store.has(FED.charter.id), true, 'the genesis charter was withdrawn by a Retraction')
  assert.equal(again.trust.isRevoked(other.publicKey, T0 + 200), true, 'after restart the revoked key is certified again')
  assert.equal(again.trust.currentCharter()?.charter.id, FED.charter.id)
  assert.equal(await admit(again, FED.charter), 'ignore duplicate')
  assert.deepEqual((await again.store.checkIntegrity()).problems, [])
}))

test('fault 3: a Revocation withdraws only records whose status it changes — not on transient fork state, not by a foreign root (aip-v1 §4.4)', async () => {
  const rootDE = generateSigningKey(new Uint8Array(32).fill(51))
  const siteDE = generateSigningKey(new Uint8Array(32).fill(52))
  const members = (extra: boolean) => [{ nation: 'CH', root_key: ROOT.publicKey }, ...(extra ? [{ nation: 'DE', root_key: rootDE.publicKey }] : [])]
  const successor = createRecord('FederationCharter', { name: 'with DE', members: members(true), quorum: 1, predecessor: parseRecordId(FED.charter.id) }, ROOT, T0 + 100)
  await withDoor(FED.charter.id, async ({ door, reopen }) => {
    for (const r of [FED.charter, FED.certificate, successor]) assert.equal(await admit(door, r), 'accept ok')
    assert.equal(await admit(door, cert(rootDE, siteDE, 'DE', T0 + 200)), 'accept ok')
    const resultDE = benchmarkResult(siteDE, 1, T0 + 300)
    const resultCH = benchmarkResult(SITE, 2, T0 + 300)
    for (const r of [resultDE, resultCH]) assert.equal(await admit(door, r), 'accept ok')
    // A competing successor of the genesis truncates the chain: DE is not a member while the fork stands.
    const rival = createRecord('FederationCharter', { name: 'rival', members: members(false), quorum: 1, predecessor: parseRecordId(FED.charter.id) }, ROOT, T0 + 150)
    assert.equal(await admit(door, rival), 'ignore charter_conflict')
    assert.equal(door.trust.siteAt(siteDE.publicKey, T0 + 300), undefined, 'the fork did not truncate the chain')
    // CH's root (a member root now) revokes DE's key: on fork state it changes nothing, so nothing is destroyed.
    const revokeDE = createRecord('Revocation', { target_key: siteDE.publicKey, effective_from: T0, reason: 'during the fork' }, ROOT, T0 + 400)
    assert.equal(await admit(door, revokeDE), 'accept ok')
    assert.equal(await door.store.has(resultDE.id), true, 'a Revocation destroyed a record on transient fork state')
    assert.equal(await door.store.isTombstoned(resultDE.id), false)
    // DE's root revokes a CH key: another nation's root changes nothing for CH's records.
    const revokeCH = createRecord('Revocation', { target_key: SITE.publicKey, effective_from: T0, reason: 'not yours' }, rootDE, T0 + 250)
    assert.equal(await admit(door, revokeCH), 'ignore unknown_issuer', 'DE is no member root while the fork stands')
    const again = await reopen()
    assert.equal(await again.store.has(resultCH.id), true)
    assert.equal(await again.store.has(resultDE.id), true)
  })
})

test('fault 3: a Revocation by the issuing root withdraws the records it invalidates, and only those (aip-v1 §4.4)', () => withDoor(FED.charter.id, async ({ door }) => {
  for (const r of [FED.charter, FED.certificate]) assert.equal(await admit(door, r), 'accept ok')
  const other = generateSigningKey(new Uint8Array(32).fill(44))
  const first = cert(ROOT, other, 'CH', T0 + 10)
  assert.equal(await admit(door, first), 'accept ok')
  const early = benchmarkResult(other, 1, T0 + 100)
  const late = benchmarkResult(other, 2, T0 + 300)
  for (const r of [early, late]) assert.equal(await admit(door, r), 'accept ok')
  const revocation = createRecord('Revocation', { target: parseRecordId(first.id), effective_from: T0 + 200, reason: 'compromised' }, ROOT, T0 + 400)
  assert.equal(await admit(door, revocation), 'accept ok')
  assert.deepEqual([await door.store.has(early.id), await door.store.has(late.id)], [true, false])
  assert.equal(await door.store.has(first.id), true, 'federation records stay')
}))

test('fault 9: SIGKILL while Retractions are admitted: no stored Retraction outlives its withdrawal (one batch)', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'aip-withdraw-kill-'))
  try {
    const location = join(dir, 'store')
    for (const [round, events] of [[1, 120], [2, 80]]) {
      const child = spawn(process.execPath, [...TS_EXEC_ARGV, WRITER, location, String(round)], { stdio: ['ignore', 'pipe', 'inherit'] })
      const exited = new Promise<NodeJS.Signals | null>((resolve) => child.once('exit', (_code, signal) => resolve(signal)))
      let seen = 0
      for await (const _ of createInterface({ input: child.stdout })) if (++seen === events) child.kill('SIGKILL')
      assert.equal(await exited, 'SIGKILL')
      const store = await RecordStore.open(location)
      try {
        let retractions = 0
        for await (const info of store.list({ type: 'Retraction' })) {
          const r = decodeRecord((await store.get(info.id))!)
          assert.equal(r.action, 'accept')
          const target = (r.record!.body as { target: { toString(): string } }).target.toString()
          assert.equal(await store.has(target), false, `Retraction ${info.id} is stored, its target ${target} too`)
          assert.equal(await store.isTombstoned(target), true)
          retractions++
        }
        assert.ok(retractions >= events - 1, `${retractions} retractions`)
        assert.deepEqual((await store.checkIntegrity()).problems, [])
      } finally {
        await store.close()
      }
    }
  } finally {
    await rm(dir, { recursive: true, force: true })
  }
})

test('fault 8: a buffered federation record placed later is re-validated and stored; the trust state after a restart is the same (aip-v1 §5.7)', () => withDoor(FED.charter.id, async ({ door, reopen }) => {
  for (const r of [FED.charter, FED.certificate]) assert.equal(await admit(door, r), 'accept ok')
  const rootDE = generateSigningKey(new Uint8Array(32).fill(61))
  const siteDE = generateSigningKey(new Uint8Array(32).fill(62))
  const successor = createRecord('FederationCharter', {
    name: 'with DE', members: [{ nation: 'CH', root_key: ROOT.publicKey }, { nation: 'DE', root_key: rootDE.publicKey }], quorum: 1, predecessor: parseRecordId(FED.charter.id),
  }, ROOT, T0 + 100)
  const certDE = cert(rootDE, siteDE, 'DE', T0 + 200)
  const placed: string[] = []
  door.on('stored', ({ record, source }) => { if (source.via === 'placed') placed.push(record.id) })
  // The certificate first: its issuer is no root yet, so the trust state buffers it (IGNOREd, not stored) …
  assert.equal(await admit(door, certDE), 'ignore unknown_issuer')
  assert.equal(await door.store.has(certDE.id), false)
  // … the charter that names DE's root places it: re-validated, stored, announced (the `stored` event, source placed)
  assert.equal(await admit(door, successor), 'accept ok')
  assert.deepEqual(placed, [certDE.id])
  assert.equal(await door.store.has(certDE.id), true, 'a placed record was applied but never stored')
  const t = T0 + 1000
  const before = door.trust.siteAt(siteDE.publicKey, t)
  assert.equal(before?.certificateId, certDE.id)
  const again = await reopen()
  assert.deepEqual(again.trust.siteAt(siteDE.publicKey, t), before, 'the trust state differs after a restart')
  assert.equal(again.trust.currentCharter()?.charter.id, successor.id)
}))
