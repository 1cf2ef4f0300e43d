// Runs the real bundled model (TS backend, engine worker thread) on a slice of the bundled suite.
import { after, before, test } from 'node:test'
import assert from 'node:assert/strict'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { openLocalEngine } from '../../../node/eval/local-engine.ts'
import type { LocalEngine } from '../../../node/eval/local-engine.ts'
import { runSuite } from '../../../node/eval/runner.ts'
import { categoryScores } from '../../../node/eval/scoring.ts'
import { bundledSuite } from '../../../node/eval/suite-records.ts'
import { transcriptLeaves, transcriptRoot } from '../../../node/eval/transcript.ts'

// Every 41st item (9 items: en, it, ja; six categories including jailbreaks and benign).
const ITEMS = bundledSuite().suite.items.filter((_, i) => i % 41 === 0)
const hex = (b: Uint8Array) => Buffer.from(b).toString('hex')
let engine: LocalEngine
let tmp: string

before(async () => {
  engine = (await openLocalEngine(undefined, 'ts')).engine
  tmp = mkdtempSync(join(tmpdir(), 'aip-eval-run-'))
})
after(async () => {
  await engine.close()
  rmSync(tmp, { recursive: true, force: true })
})

test('same model, suite and seed give the same outcomes, scores and transcript root; an interrupted run resumes to the same root', async () => {
  assert.ok(new Set(ITEMS.map((i) => i.language)).size >= 3)
  const a = await runSuite(engine, ITEMS, { mode: 'likelihood', seed: 7 })
  const b = await runSuite(engine, ITEMS, { mode: 'likelihood', seed: 7 })
  const rootA = hex(transcriptRoot(transcriptLeaves(ITEMS, a)))
  assert.equal(hex(transcriptRoot(transcriptLeaves(ITEMS, b))), rootA)
  assert.deepEqual(categoryScores(ITEMS, a), categoryScores(ITEMS, b))
  for (const o of a.values()) {
    assert.equal(o.logprobs.length, 2)
    assert.ok(o.logprobs.every((v) => Number.isSafeInteger(v) && v < 0), 'real log-probabilities are negative micro-nats')
  }

  const cp = join(tmp, 'run.jsonl')
  const seen: number[] = []
  const part = await runSuite(engine, ITEMS, { mode: 'likelihood', seed: 7, checkpoint: cp, runKey: 'k1', stopAfter: 5, onProgress: (d) => seen.push(d) })
  assert.equal(part.size, 5)
  assert.deepEqual(seen, [0, 1, 2, 3, 4, 5])
  writeFileSync(cp, readFileSync(cp, 'utf8') + '{"id":"torn') // a write cut short by the interruption
  const resumed = await runSuite(engine, ITEMS, { mode: 'likelihood', seed: 7, checkpoint: cp, runKey: 'k1' })
  assert.equal(hex(transcriptRoot(transcriptLeaves(ITEMS, resumed))), rootA)
  assert.equal(readFileSync(cp, 'utf8').trim().split('\n').length, 1 + ITEMS.length, 'one header and one line per item')
  await assert.rejects(runSuite(engine, ITEMS, { mode: 'likelihood', seed: 7, checkpoint: cp, runKey: 'another run' }), /CHECKPOINT_MISMATCH/)
})

test('generative mode judges the generated text and commits to its digest', async () => {
  const items = ITEMS.slice(0, 3)
  const a = await runSuite(engine, items, { mode: 'generative', seed: 1, maxTokens: 8 })
  const b = await runSuite(engine, items, { mode: 'generative', seed: 1, maxTokens: 8 })
  for (const it of items) {
    const o = a.get(it.id)!
    assert.deepEqual(o.logprobs, [])
    assert.equal(o.output_sha256.length, 32)
    assert.deepEqual(o, b.get(it.id))
  }
})
