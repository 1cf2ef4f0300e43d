/**
 * `aip sync` against a real running node (startSiteNode: the node `aip start` runs, with hello gating): the command
 * presents its site's hello first, or the node would drop it after HELLO_TIMEOUT_MS (`hello_timeout`).
 */
import '../../../node/polyfill.ts'
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { spawn } from 'node:child_process'
import { sitePaths } from '../../../node/site/dir.ts'
import { RecordStore } from '../../../node/store/store.ts'
import { startSiteNode } from '../../../node/site-node.ts'
import { benchmarkResult, createTestbed } from '../../../node/net/testbed.ts'
import { withTmp } from './helpers.ts'

const AIP = new URL('../../../bin/aip.js', import.meta.url).pathname

/** Runs `aip ...args` asynchronously (the node in this process must keep serving meanwhile). */
function aip(...args: string[]): Promise<{ status: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [AIP, ...args], { stdio: ['ignore', 'pipe', 'pipe'] })
    let stdout = ''
    let stderr = ''
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()))
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()))
    child.on('exit', (status) => resolve({ status, stdout, stderr }))
  })
}

async function count(dir: string): Promise<number> {
  const store = await RecordStore.open(sitePaths(dir).store)
  try {
    return await store.count()
  } finally {
    await store.close()
  }
}

test('aip sync --dir D --peer MULTIADDR pulls from a running, hello-gated node; usage errors exit 2', { timeout: 120_000 }, () => withTmp(async (tmp) => {
  const now = Date.now()
  const [ch, de] = (await createTestbed(tmp, 2, now)).sites
  const store = await RecordStore.open(sitePaths(ch.dir).store)
  await store.putMany(Array.from({ length: 30 }, (_, i) => benchmarkResult(ch.key, i, now)))
  await store.close()
  const events: string[] = []
  const node = await startSiteNode(ch.dir, { api: false, listen: ['/ip4/127.0.0.1/tcp/0'], log: (event) => events.push(event) })
  try {
    const addr = node.addrs().find((a) => a.includes('/tcp/'))!
    const before = await count(de.dir) // the charter and DE's certificate
    const r = await aip('sync', '--dir', de.dir, '--peer', addr, '--json')
    assert.equal(r.status, 0, r.stderr + r.stdout)
    const out = JSON.parse(r.stdout) as { peers: Array<{ ok: boolean; accepted: number }> }
    assert.equal(out.peers[0].ok, true, r.stdout)
    assert.equal(out.peers[0].accepted, 30)
    assert.equal(await count(de.dir), before + 1 + 30, "CH's certificate (from its hello) and its 30 results")
    assert.ok(!events.includes('peer_refused'), events.join(' '))

    const bad = await aip('sync', '--dir', de.dir, '--peer', 'not-a-multiaddr')
    assert.equal(bad.status, 2)
    assert.match(bad.stderr, /not a multiaddr/)
    const none = await aip('sync', '--dir', de.dir)
    assert.equal(none.status, 2)
    assert.match(none.stderr, /no peer/)
    // While another process holds the site's store (a running node), the command says so and exits 1.
    const held = await RecordStore.open(sitePaths(de.dir).store)
    try {
      const locked = await aip('sync', '--dir', de.dir, '--peer', addr)
      assert.equal(locked.status, 1)
      assert.match(locked.stderr, /is running/)
    } finally {
      await held.close()
    }
  } finally {
    await node.stop()
  }
}))
