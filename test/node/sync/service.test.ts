import { test } from 'node:test'
import assert from 'node:assert/strict'
import { rm } from 'node:fs/promises'
import { multiaddr } from '@multiformats/multiaddr'
import { idsOf, makeRecord, seed, startSite } from './site.ts'
import type { Site } from './site.ts'

async function withSites(n: number, fn: (sites: Site[]) => Promise<void>): Promise<void> {
  const sites: Site[] = []
  try {
    for (let i = 0; i < n; i++) sites.push(await startSite())
    await fn(sites)
  } finally {
    for (const s of sites) {
      await s.stop()
      await rm(s.dir, { recursive: true, force: true })
    }
  }
}

test('two sites over libp2p: each pull brings the union, records pass validation and are stored', () => withSites(2, async ([a, b]) => {
  const shared = Array.from({ length: 300 }, (_, i) => makeRecord('shared', i, 2))
  const onlyA = Array.from({ length: 40 }, (_, i) => makeRecord('a', i, 2))
  const onlyB = Array.from({ length: 25 }, (_, i) => makeRecord('b', i, 2))
  await seed(a, [...shared, ...onlyA])
  await seed(b, [...shared.filter((_, i) => i % 7 !== 0), ...onlyB])

  const r1 = await b.sync.syncWith(multiaddr(a.addr()))
  assert.equal(r1.accepted, 40 + Math.ceil(300 / 7))
  const r2 = await a.sync.syncWith(multiaddr(b.addr()))
  assert.equal(r2.accepted, 25)
  assert.deepEqual(await idsOf(a), await idsOf(b))
  assert.equal((await idsOf(a)).length, 365)

  // Equal sets: one round, a few hundred bytes.
  const r3 = await b.sync.syncWith(multiaddr(a.addr()))
  assert.equal(r3.accepted, 0)
  assert.equal(r3.rounds, 1)
  assert.ok(r3.bytesSent + r3.bytesReceived < 1000, `${r3.bytesSent + r3.bytesReceived} bytes`)
  assert.deepEqual((await b.store.checkIntegrity()).problems, [])
}))

test('connected sites pull from each other periodically', async () => {
  const periodic = { onConnect: false, intervalMs: 200 }
  const a = await startSite(undefined, periodic)
  const b = await startSite(undefined, periodic)
  try {
    await b.libp2p.dial(multiaddr(a.addr()))
    const onA = makeRecord('periodic-a', 1, 1)
    const onB = makeRecord('periodic-b', 1, 1)
    assert.equal((await a.accept(onA.bytes)).action, 'accept')
    assert.equal((await b.accept(onB.bytes)).action, 'accept')
    const deadline = Date.now() + 20_000
    while (!((await b.store.has(onA.id)) && (await a.store.has(onB.id)))) {
      assert.ok(Date.now() < deadline, 'no periodic pull within 20 s')
      await new Promise((r) => setTimeout(r, 50))
    }
  } finally {
    for (const s of [a, b]) {
      await s.stop()
      await rm(s.dir, { recursive: true, force: true })
    }
  }
})
