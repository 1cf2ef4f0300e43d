/**
 * `aip import` at its edges: a FIFO (or device) is refused at once instead of read until an EOF that may never come;
 * standard input is read when FILE is '-'; and through a running node, one record over the API's body limit is that
 * record's outcome (reject oversize), not the end of the import.
 */
import '../../../node/polyfill.ts'
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { spawn, spawnSync } from 'node:child_process'
import { writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { initSite } from '../../../node/site/init.ts'
import { startSiteNode } from '../../../node/site-node.ts'
import { benchmarkResult } from '../../../node/net/testbed.ts'
import { lines, withTmp } from './helpers.ts'

const AIP = new URL('../../../bin/aip.js', import.meta.url).pathname

/** Runs `aip ...args` asynchronously with `stdin`; killed after 20 s (a hang is a failure, not a stuck suite). */
function aip(args: string[], stdin?: Uint8Array): Promise<{ status: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [AIP, ...args], { stdio: ['pipe', 'pipe', 'pipe'] })
    const timer = setTimeout(() => child.kill('SIGKILL'), 20_000)
    let stdout = ''
    let stderr = ''
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()))
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()))
    child.on('exit', (status) => { clearTimeout(timer); resolve({ status, stdout, stderr }) })
    child.stdin.end(stdin)
  })
}

/** A CBOR byte string of `n` bytes: one well-delimited item of a sequence, too large for any record. */
function cborBytes(n: number): Uint8Array {
  const head = Buffer.from([0x5a, 0, 0, 0, 0])
  head.writeUInt32BE(n, 1)
  return Buffer.concat([head, Buffer.alloc(n, 7)])
}

test('aip import refuses a FIFO at once; reads standard input for -; an oversize item through the API is one outcome', { timeout: 60_000 }, () => withTmp(async (tmp) => {
  const { site } = await initSite(join(tmp, 'ch'), { nation: 'CH' })
  const fifo = join(tmp, 'records.fifo')
  assert.equal(spawnSync('mkfifo', [fifo]).status, 0)
  const refused = await aip(['import', '--dir', site.dir, fifo])
  assert.equal(refused.status, 1, refused.stderr)
  assert.match(refused.stderr, /not a regular file/)

  const now = Date.now()
  const [a, b, c] = [0, 1, 2].map((i) => benchmarkResult(site.key, i, now))
  const file = join(tmp, 'mixed.cbor')
  await writeFile(file, Buffer.concat([a.bytes, cborBytes(300 * 1024), b.bytes]))
  const node = await startSiteNode(site.dir, { listen: ['/ip4/127.0.0.1/tcp/0'], log: () => {} })
  try {
    const r = await aip(['import', '--dir', site.dir, file, '--json'])
    assert.equal(r.status, 1, r.stderr) // not every record was accepted
    const out = lines<{ action?: string; code?: string; summary?: { via: string; accept: number; reject: number } }>(r.stdout)
    assert.deepEqual(out.slice(0, 3).map((o) => `${o.action} ${o.code}`), ['accept ok', 'reject oversize', 'accept ok'])
    assert.deepEqual([out[3].summary?.via, out[3].summary?.accept, out[3].summary?.reject], ['api', 2, 1])
    assert.equal(await node.store.has(b.id), true, 'the record after the oversize one was stored')

    const piped = await aip(['import', '--dir', site.dir, '-', '--json'], c.bytes)
    assert.equal(piped.status, 0, piped.stderr)
    assert.equal(await node.store.has(c.id), true)

    // while we are here: `aip status` reports the dependency patches' self-check (node/net/patches/README.md)
    const status = await aip(['status', '--dir', site.dir, '--json'])
    assert.deepEqual((JSON.parse(status.stdout) as { patches: unknown }).patches,
      { yamuxWindow: 'ok', writeCoalescing: 'ok', gossipsubBackoff: 'ok', gossipsubScoreCache: 'ok', gossipsubDeliveryWindow: 'ok', gossipsubMcacheBudget: 'ok' })
  } finally {
    await node.stop()
  }
}))
