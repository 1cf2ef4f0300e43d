/**
 * The "done when": a site runs a suite, publishes, and another site sees the result verified. Two real
 * nodes (`aip start`, libp2p on 127.0.0.1) of a two-nation federation; the result goes out with `aip bench publish`.
 */
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { spawn } from 'node:child_process'
import type { ChildProcess } from 'node:child_process'
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { readNodeFile } from '../../../node/api/index.ts'
import { createTestbed } from '../../../node/net/testbed.ts'
import { bundledSuite } from '../../../node/eval/suite-records.ts'
import { until } from '../net/helpers.ts'
import { aip, aipJson, lines, withTmp } from '../cli/helpers.ts'

const AIP = new URL('../../../bin/aip.js', import.meta.url).pathname

function start(...args: string[]): { proc: ChildProcess; exited: Promise<number | null>; out: () => string } {
  const proc = spawn(process.execPath, [AIP, 'start', ...args], { stdio: ['ignore', 'pipe', 'pipe'] })
  let out = ''
  proc.stdout?.on('data', (d: Buffer) => (out += d.toString()))
  proc.stderr?.on('data', (d: Buffer) => (out += d.toString()))
  return { proc, exited: new Promise((resolve) => proc.on('exit', resolve)), out: () => out }
}

test('bench run at CH, bench publish through the running node, the result is verified at DE', { timeout: 240_000 }, () => withTmp(async (tmp) => {
  const bed = await createTestbed(tmp, 2, Date.now(), 'eval-publish')
  const [ch, de] = bed.sites
  const suite = join(tmp, 'tiny.jsonl')
  const all = bundledSuite().suite.items
  writeFileSync(suite, ['hate-en-01', 'benign-en-02', 'ml-priv-01-fr'].map((id) => JSON.stringify(all.find((i) => i.id === id))).join('\n') + '\n')
  const run = await aipJson<{ result: string; via: string }>(0, 'bench', 'run', '--dir', ch.dir, '--suite', suite, '--json', '--quiet')
  assert.equal(run.via, 'store')
  const notRunning = await aip('bench', 'publish', '--dir', ch.dir, run.result)
  assert.equal(notRunning.status, 1)
  assert.match(notRunning.stderr, /aip start/)

  const a = start('--dir', ch.dir)
  let b: ReturnType<typeof start> | undefined
  try {
    await until(async () => (await readNodeFile(ch.dir)) !== undefined, 'CH node.json', 60_000)
    const chAddr = (await readNodeFile(ch.dir))!.addrs.find((x) => x.includes('/tcp/'))!
    b = start('--dir', de.dir, '--bootstrap', chAddr)
    await until(async () => (await readNodeFile(de.dir)) !== undefined, 'DE node.json', 60_000)
    await until(async () => {
      const peers = await aipJson<Array<{ admitted: boolean; nation?: string }>>(0, 'peers', '--dir', de.dir, '--json')
      return peers.some((p) => p.admitted && p.nation === 'CH')
    }, 'DE to admit CH', 60_000)

    const pub = await aip('bench', 'publish', '--dir', ch.dir, run.result, '--json')
    assert.equal(pub.status, 0, pub.stdout + pub.stderr)
    const published = (JSON.parse(pub.stdout) as { published: Array<{ id: string; action: string }> }).published
    assert.equal(published.at(-1)!.id, run.result)
    // stored by `bench run` already: each is announced again and answers ignore duplicate
    assert.ok(published.every((p) => p.action === 'accept' || (p as { code?: string }).code === 'duplicate'), JSON.stringify(published))
    assert.equal(published.length, 4, 'suite chunk, suite manifest, model commitment, result')

    let row: { id: string; verified: boolean; nation: string } | undefined
    await until(async () => {
      const r = await aip('results', '--dir', de.dir, '--json')
      row = lines<{ id: string; verified: boolean; nation: string }>(r.stdout).find((x) => x.id === run.result)
      return row !== undefined
    }, 'the result to reach DE', 60_000)
    assert.deepEqual([row!.verified, row!.nation], [true, 'CH'])
    await until(async () => (await aip('results', 'verify', '--dir', de.dir, run.result, '--json')).stdout.includes('"name":"suite"'), 'the suite to reach DE', 30_000)
    const v = await aipJson<{ verified: boolean; checks: Array<{ name: string; ok: boolean }> }>(0, 'results', 'verify', '--dir', de.dir, run.result, '--json')
    assert.ok(v.verified)
    assert.deepEqual(v.checks.map((c) => c.name), ['signature', 'record', 'signer', 'method', 'suite', 'scores', 'model'])

    // While the node runs, bench run goes through its API: the new result is stored there and gossiped at once.
    const live = await aipJson<{ result: string; via: string; stored: { action: string } }>(0, 'bench', 'run', '--dir', ch.dir, '--suite', suite, '--seed', '5', '--json', '--quiet')
    assert.deepEqual([live.via, live.stored.action], ['api', 'accept'])
    await until(async () => lines<{ id: string; verified: boolean }>((await aip('results', '--dir', de.dir, '--json')).stdout).some((x) => x.id === live.result && x.verified), 'the live result at DE', 60_000)
  } finally {
    a.proc.kill('SIGTERM')
    b?.proc.kill('SIGTERM')
  }
  assert.equal(await a.exited, 0, a.out())
  if (b) assert.equal(await b.exited, 0, b.out())
}))
