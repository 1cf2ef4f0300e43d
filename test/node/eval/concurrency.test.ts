/**
 * Concurrent external engines (specs/evaluation-v1.md §6, §7.1): a real loopback OpenAI-compatible server (the
 * node's own route over the bundled model) that answers after a fixed delay and injects 429/503 answers; the
 * concurrent run writes the same checkpoint, byte for byte, as the sequential one.
 */
import { after, before, test } from 'node:test'
import assert from 'node:assert/strict'
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { ENGINE_MAX_ATTEMPTS, ENGINE_RETRY_BASE_MS, ENGINE_RETRY_MAX_MS } from '../../../node/eval/constants.ts'
import { openLocalEngine, type LocalEngine } from '../../../node/eval/local-engine.ts'
import { OpenAIEngine, retryDelayMs } from '../../../node/eval/openai-client.ts'
import { handleOpenAI } from '../../../node/eval/openai-route.ts'
import { orderedPool } from '../../../node/eval/ordered-pool.ts'
import { runSuite } from '../../../node/eval/runner.ts'
import { bundledSuite } from '../../../node/eval/suite-records.ts'

const ITEMS = bundledSuite().suite.items.filter((_, i) => i % 60 === 0) // 6 items
let engine: LocalEngine
let tmp: string
const stats = { requests: 0, inFlight: 0, maxInFlight: 0, injected: 0 }
let server: Server
let url: string

before(async () => {
  engine = (await openLocalEngine(undefined, 'ort')).engine
  tmp = mkdtempSync(join(tmpdir(), 'aip-eval-conc-'))
  server = createServer((req, res) => {
    const n = ++stats.requests
    stats.inFlight++
    stats.maxInFlight = Math.max(stats.maxInFlight, stats.inFlight)
    const done = () => { stats.inFlight-- }
    res.on('close', done)
    // Every 4th request is refused once: 429 with Retry-After 0, or 503 without (client backs off).
    if (n % 4 === 0) {
      stats.injected++
      req.resume()
      const busy = n % 8 === 0
      res.writeHead(busy ? 503 : 429, busy ? {} : { 'retry-after': '0' })
      res.end('try again')
      return
    }
    setTimeout(() => void handleOpenAI(engine, req, res), 20)
  })
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
})

after(async () => {
  server.closeAllConnections()
  await new Promise<void>((r) => server.close(() => r()))
  await engine.close()
  rmSync(tmp, { recursive: true, force: true })
})

test('concurrency 4 against a loopback server with injected 429/503: same checkpoint and outcomes as a sequential run', async () => {
  const client = new OpenAIEngine({ url, model: 'aip-tiny-moe' })
  const run = async (concurrency: number, mode: 'likelihood' | 'generative') => {
    const checkpoint = join(tmp, `${mode}-${concurrency}.jsonl`)
    const before = { ...stats }
    stats.maxInFlight = 0
    const seen: number[] = []
    const outcomes = await runSuite(client, ITEMS, { mode, seed: 3, maxTokens: 4, checkpoint, runKey: mode, concurrency, onProgress: (d) => seen.push(d) })
    assert.deepEqual(seen, Array.from({ length: ITEMS.length + 1 }, (_, i) => i), 'progress in suite order')
    return { outcomes, text: readFileSync(checkpoint, 'utf8'), max: stats.maxInFlight, injected: stats.injected - before.injected }
  }
  for (const mode of ['likelihood', 'generative'] as const) {
    const seq = await run(1, mode)
    const conc = await run(4, mode)
    assert.equal(seq.max, 1)
    assert.ok(conc.max > 1 && conc.max <= 4, `${conc.max} requests in flight`)
    assert.ok(seq.injected > 0 && conc.injected > 0, 'refusals were injected and retried')
    assert.equal(conc.text, seq.text, `${mode}: checkpoint identical`)
    assert.deepEqual([...conc.outcomes.entries()], [...seq.outcomes.entries()])
  }
})

test('a server that keeps answering 503 fails the item after ENGINE_MAX_ATTEMPTS; Retry-After is honoured and capped', async () => {
  let hits = 0
  const busy = createServer((req, res) => {
    hits++
    req.resume()
    res.writeHead(503, { 'retry-after': '0' })
    res.end('overloaded')
  })
  await new Promise<void>((r) => busy.listen(0, '127.0.0.1', r))
  try {
    const client = new OpenAIEngine({ url: `http://127.0.0.1:${(busy.address() as AddressInfo).port}`, model: 'm' })
    await assert.rejects(client.generate('hi', { maxTokens: 1, temperature: 0, seed: 0 }), new RegExp(`ENGINE_FAILED: .*answered 503.*after ${ENGINE_MAX_ATTEMPTS} attempts`))
    assert.equal(hits, ENGINE_MAX_ATTEMPTS)
  } finally {
    busy.closeAllConnections()
    await new Promise<void>((r) => busy.close(() => r()))
  }
  assert.equal(retryDelayMs(1, null), ENGINE_RETRY_BASE_MS)
  assert.equal(retryDelayMs(3, null), 4 * ENGINE_RETRY_BASE_MS)
  assert.equal(retryDelayMs(1, '2'), 2000)
  assert.equal(retryDelayMs(1, '86400'), ENGINE_RETRY_MAX_MS)
  assert.equal(retryDelayMs(1, new Date(10_000).toUTCString(), 7_000), 3000)
  assert.equal(retryDelayMs(2, 'soon'), 2 * ENGINE_RETRY_BASE_MS)
})

test('orderedPool: commits in index order, never more than `concurrency` in flight, first failure in order thrown', async () => {
  let inFlight = 0
  let max = 0
  const committed: number[] = []
  const delays = [30, 1, 12, 1, 25, 3, 1, 8, 1, 1, 20, 2]
  await orderedPool(delays.length, 3, 6, async (i) => {
    inFlight++
    max = Math.max(max, inFlight)
    await new Promise((r) => setTimeout(r, delays[i]))
    inFlight--
    return i * 10
  }, (i, r) => {
    assert.equal(r, i * 10)
    committed.push(i)
  })
  assert.deepEqual(committed, delays.map((_, i) => i))
  assert.equal(max, 3)
  const order: number[] = []
  await assert.rejects(orderedPool(6, 3, 6, async (i) => {
    await new Promise((r) => setTimeout(r, i === 1 ? 15 : 1))
    if (i === 1 || i === 3) throw new Error(`fail ${i}`)
    return i
  }, (i) => { order.push(i) }), /fail 1/)
  assert.deepEqual(order, [0])
})
