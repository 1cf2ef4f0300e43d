/**
 * `aip start`, `aip status`, `aip peers` as an operator runs them: two site processes on 127.0.0.1, a record
 * published through one node's API arrives at the other, and SIGTERM shuts each node down cleanly.
 */
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { spawn } from 'node:child_process'
import type { ChildProcess } from 'node:child_process'
import { writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { readNodeFile } from '../../../node/api/index.ts'
import { benchmarkResult, createTestbed } from '../../../node/net/testbed.ts'
import { until } from '../net/helpers.ts'
import { aip, aipJson, lines, withTmp } from './helpers.ts'

const AIP = new URL('../../../bin/aip.js', import.meta.url).pathname

function start(...args: string[]): { proc: ChildProcess, out: () => string, exited: Promise<number | null> } {
  const proc = spawn(process.execPath, [AIP, 'start', ...args], { stdio: ['ignore', 'pipe', 'pipe'] })
  let out = ''
  proc.stdout?.on('data', (d: Buffer) => { out += d.toString() })
  proc.stderr?.on('data', (d: Buffer) => { out += d.toString() })
  const exited = new Promise<number | null>((resolve) => proc.on('exit', (code) => resolve(code)))
  return { proc, out: () => out, exited }
}

test('aip start / status / peers: two sites gossip, then stop on SIGTERM', { timeout: 90_000 }, () => withTmp(async (tmp) => {
  const now = Date.now()
  const bed = await createTestbed(tmp, 2, now)
  const [ch, de] = bed.sites
  assert.equal((await aip('status', '--dir', ch.dir)).status, 1, 'no node runs yet')
  const a = start('--dir', ch.dir)
  const b = { proc: undefined as ChildProcess | undefined, out: () => '', exited: Promise.resolve<number | null>(0) }
  try {
    await until(async () => (await readNodeFile(ch.dir)) !== undefined, 'CH to write node.json', 30_000)
    const chAddr = (await readNodeFile(ch.dir))!.addrs.find((x) => x.includes('/tcp/'))!
    const second = await aip('start', '--dir', ch.dir)
    assert.equal(second.status, 1, 'a second node on the same directory is refused')
    assert.match(second.stderr, /locked/)
    // alignment-v1 §6: the egress guard is on by default; DE runs without it
    const chStatus = await aipJson<{ egressGuard: { on: boolean, blocked: number } }>(0, 'status', '--dir', ch.dir, '--json')
    assert.equal(chStatus.egressGuard.on, true, 'aip start runs the egress guard by default')
    assert.equal(chStatus.egressGuard.blocked, 0)
    assert.match((await aip('status', '--dir', ch.dir)).stdout, /^egress guard +on \(/m)
    Object.assign(b, start('--dir', de.dir, '--bootstrap', chAddr, '--no-egress-guard'))
    await until(async () => (await readNodeFile(de.dir)) !== undefined, 'DE to write node.json', 30_000)
    await until(async () => {
      const peers = await aipJson<Array<{ admitted: boolean, nation?: string }>>(0, 'peers', '--dir', de.dir, '--json')
      return peers.some((p) => p.admitted && p.nation === 'CH')
    }, 'DE to admit CH', 30_000)
    const record = benchmarkResult(ch.key, 1, now)
    const file = join(tmp, 'result.cose')
    await writeFile(file, record.bytes)
    const published = await aip('publish', '--dir', ch.dir, file)
    assert.equal(published.status, 0, published.stdout + published.stderr)
    await until(async () => {
      const status = await aipJson<{ validation: Record<string, number> }>(0, 'status', '--dir', de.dir, '--json')
      return (status.validation['accept/ok'] ?? 0) >= 1
    }, 'the record to arrive at DE', 30_000)
    assert.equal((await aipJson<{ egressGuard: { on: boolean } }>(0, 'status', '--dir', de.dir, '--json')).egressGuard.on, false, '--no-egress-guard')
    const peersText = await aip('peers', '--dir', ch.dir)
    assert.match(peersText.stdout, /admitted DE/)
  } finally {
    a.proc.kill('SIGTERM')
    b.proc?.kill('SIGTERM')
  }
  assert.equal(await a.exited, 0, a.out())
  assert.equal(await b.exited, 0, b.out())
  assert.equal(await readNodeFile(ch.dir), undefined, 'node.json removed on clean shutdown')
  const logged = lines<{ event: string, runtime?: string, verifier?: string }>(a.out())
  const starting = logged.find((e) => e.event === 'starting')
  assert.equal(starting?.runtime, 'precompiled', 'aip start runs precompiled, without tsx')
  assert.equal(starting?.verifier, 'libsodium', 'the precompiled node finds sodium-native (else it verifies ~2x slower)')
  const events = logged.map((e) => e.event)
  for (const e of ['network_started', 'api_listening', 'peer_admitted', 'egress_guard', 'shutdown', 'node_stopped']) assert.ok(events.includes(e), `${e} in ${events.join(',')}`)
}))

test('aip start, status and peers explain their usage', async () => {
  for (const cmd of ['start', 'status', 'peers']) {
    const help = await aip(cmd, '--help')
    assert.equal(help.status, 0)
    assert.match(help.stdout, new RegExp(`Usage: aip ${cmd} --dir DIR`))
    const bad = await aip(cmd)
    assert.equal(bad.status, 2)
    assert.match(bad.stderr, /--dir( DIR)? is required/)
  }
})
