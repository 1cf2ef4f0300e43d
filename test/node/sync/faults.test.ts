/**
 * Issue 5's fault scenarios with real sites: a 2 + 3 partition heals; a restarted site catches up on 10,000 records;
 * a site killed with SIGKILL in the middle of a sync keeps every record it had accepted.
 */
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { spawn } from 'node:child_process'
import { rm } from 'node:fs/promises'
import { createInterface } from 'node:readline'
import { multiaddr } from '@multiformats/multiaddr'
import { TS_EXEC_ARGV } from '../../../node/runtime.ts'
import { RecordStore } from '../../../node/store/store.ts'
import { idsOf, makeRecord, seed, startSite } from './site.ts'
import type { Site } from './site.ts'
import { join } from 'node:path'

async function cleanup(sites: Site[]): Promise<void> {
  for (const s of sites) {
    await s.stop()
    await rm(s.dir, { recursive: true, force: true })
  }
}

async function until(what: string, ok: () => Promise<boolean>, ms = 30_000): Promise<void> {
  const end = Date.now() + ms
  while (!(await ok())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`)
    await new Promise((r) => setTimeout(r, 100))
  }
}

test('a 5-site federation partitioned 2 + 3 publishes on both sides, heals, and every site holds the same set', async () => {
  const sites: Site[] = []
  try {
    for (let i = 0; i < 5; i++) sites.push(await startSite(undefined, { onConnect: true, intervalMs: 0 }))
    const base = Array.from({ length: 200 }, (_, i) => makeRecord('base', i, 1))
    for (const s of sites) await seed(s, base)
    const left = sites.slice(0, 2)
    const right = sites.slice(2)
    const dialAll = async (group: Site[]) => {
      for (const a of group) for (const b of group) if (a !== b) await a.libp2p.dial(multiaddr(b.addr()))
    }
    await dialAll(left)
    await dialAll(right)
    // Publish on both sides of the partition (each site its own records), then sync within each side.
    for (const [k, s] of sites.entries()) for (let i = 0; i < 30; i++) assert.equal((await s.accept(makeRecord(`site${k}`, i, 1).bytes)).action, 'accept')
    for (const s of sites) await s.sync.syncAll()
    assert.equal((await idsOf(sites[0])).length, 200 + 60)
    assert.equal((await idsOf(sites[4])).length, 200 + 90)
    // Heal: connect across; the on-connect pulls must converge every site.
    for (const a of left) for (const b of right) await a.libp2p.dial(multiaddr(b.addr()))
    const want = 200 + 150
    await until('convergence', async () => {
      for (const s of sites) if ((await s.store.count()) !== want) return false
      return true
    })
    const reference = await idsOf(sites[0])
    for (const s of sites.slice(1)) assert.deepEqual(await idsOf(s), reference)
    for (const s of sites) assert.deepEqual(s.penalised, [])
  } finally {
    await cleanup(sites)
  }
})

test('a site restarted after missing 10,000 records catches up', async () => {
  const sites: Site[] = []
  try {
    const a = await startSite()
    let b = await startSite()
    sites.push(a)
    const old = Array.from({ length: 500 }, (_, i) => makeRecord('old', i, 1))
    await seed(a, old)
    await seed(b, old)
    const dir = b.dir
    await b.stop()
    await seed(a, Array.from({ length: 10_000 }, (_, i) => makeRecord('while-down', i, 1)))
    b = await startSite(dir)
    sites.push(b)
    const r = await b.sync.syncWith(multiaddr(a.addr()))
    assert.equal(r.accepted, 10_000)
    assert.deepEqual(await idsOf(b), await idsOf(a))
    assert.deepEqual((await b.store.checkIntegrity()).problems, [])
  } finally {
    await cleanup(sites)
  }
})

test('SIGKILL during a sync loses nothing already accepted; the next sync completes', async () => {
  const sites: Site[] = []
  try {
    const a = await startSite()
    sites.push(a)
    await seed(a, Array.from({ length: 3000 }, (_, i) => makeRecord('kill', i, 1)))
    const b = await startSite()
    const dir = b.dir
    await b.stop()
    const child = spawn(process.execPath, [...TS_EXEC_ARGV, new URL('./kill-child.ts', import.meta.url).pathname, dir, a.addr()], { stdio: ['ignore', 'pipe', 'inherit'] })
    const accepted: string[] = []
    const killed = new Promise<void>((resolve) => {
      createInterface({ input: child.stdout! }).on('line', (line) => {
        if (line.startsWith('accepted ')) accepted.push(line.slice(9))
        if (accepted.length === 1200 && child.exitCode === null) child.kill('SIGKILL')
      })
      child.on('exit', () => resolve())
    })
    await killed
    assert.equal(child.signalCode, 'SIGKILL', 'the child was killed mid-sync')
    assert.ok(accepted.length >= 1200 && accepted.length < 3000, `${accepted.length} accepted before the kill`)
    const store = await RecordStore.open(join(dir, 'store'))
    for (const id of accepted) assert.ok(await store.has(id), `accepted ${id} lost`)
    assert.deepEqual((await store.checkIntegrity()).problems, [])
    await store.close()
    const b2 = await startSite(dir)
    sites.push(b2)
    await b2.sync.syncWith(multiaddr(a.addr()))
    assert.deepEqual(await idsOf(b2), await idsOf(a))
  } finally {
    await cleanup(sites)
  }
})
