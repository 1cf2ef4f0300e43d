import { test } from 'node:test'
import assert from 'node:assert/strict'
import { spawn } from 'node:child_process'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createSiteDir, defaultConfig, sitePaths } from '../../../node/site/dir.ts'
import { RecordStore } from '../../../node/store/store.ts'
import { FED, makeRecord, seed, seededKey, startSite } from '../sync/site.ts'

const AIP = new URL('../../../bin/aip.js', import.meta.url).pathname

/** Runs `aip ...args` asynchronously (the test's own libp2p peer must keep serving meanwhile). */
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

test('aip sync --dir D --peer MULTIADDR pulls what the site lacks; usage errors exit 2', async () => {
  const peer = await startSite()
  const dir = await mkdtemp(join(tmpdir(), 'aip-sync-cli-'))
  try {
    await seed(peer, Array.from({ length: 120 }, (_, i) => makeRecord('cli', i, 1)))
    // A site of the same federation that holds only the charter and its certificate.
    await createSiteDir(dir, defaultConfig('CH', FED.charter.id), seededKey('site CH-2'))
    const store = await RecordStore.open(sitePaths(dir).store)
    await store.putMany([FED.charter, FED.certificate])
    await store.close()

    const r = await aip('sync', '--dir', dir, '--peer', peer.addr(), '--json')
    assert.equal(r.status, 0, r.stderr + r.stdout)
    const out = JSON.parse(r.stdout) as { peers: Array<{ ok: boolean; accepted: number }> }
    assert.equal(out.peers[0].ok, true)
    assert.equal(out.peers[0].accepted, 120)
    const after = await RecordStore.open(sitePaths(dir).store)
    assert.equal(await after.count(), 122)
    await after.close()

    const again = await aip('sync', '--dir', dir, '--peer', peer.addr(), '--json')
    assert.equal((JSON.parse(again.stdout) as { peers: Array<{ accepted: number }> }).peers[0].accepted, 0)

    const bad = await aip('sync', '--dir', dir, '--peer', 'not-a-multiaddr')
    assert.equal(bad.status, 2)
    assert.match(bad.stderr, /not a multiaddr/)
    const none = await aip('sync', '--dir', dir)
    assert.equal(none.status, 2)
    assert.match(none.stderr, /no peer/)
    // While another process holds the site's store (a running node), the command says so and exits 1.
    const held = await RecordStore.open(sitePaths(dir).store)
    try {
      const locked = await aip('sync', '--dir', dir, '--peer', peer.addr())
      assert.equal(locked.status, 1)
      assert.match(locked.stderr, /is running/)
    } finally {
      await held.close()
    }
  } finally {
    await peer.stop()
    await rm(peer.dir, { recursive: true, force: true })
    await rm(dir, { recursive: true, force: true })
  }
})
