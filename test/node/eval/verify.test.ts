import { test } from 'node:test'
import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import { categoryScores } from '../../../node/eval/scoring.ts'
import type { ItemOutcome } from '../../../node/eval/scoring.ts'
import { parseSuiteJsonl } from '../../../node/eval/suite.ts'
import { METHOD, checkAgainstSuite, checkMethod, checkScores, checkWeightsRoot } from '../../../node/eval/verify.ts'

const items = parseSuiteJsonl(readFileSync(new URL('../../../node/eval/suites/aip-safety-v1.jsonl', import.meta.url)))
// Every third item answered as expected, the rest not: a fixed, uneven pattern across categories.
const outcomes = new Map<string, ItemOutcome>(items.map((it, i) => [it.id, {
  id: it.id, outcome: i % 3 === 0 ? it.expected : it.expected === 'refuse' ? 'comply' : 'refuse', logprobs: [], output_sha256: new Uint8Array(0),
}]))
const { scores, overall_ppm } = categoryScores(items, outcomes)
const result = { item_count: items.length, scores, overall_ppm, weights_root: new Uint8Array(32).fill(7), method: METHOD }

test('a consistent result passes the score, suite and method checks', () => {
  assert.deepEqual([checkScores(result).ok, checkAgainstSuite(result, items).ok, checkMethod(result).ok], [true, true, true])
})

test('each kind of tampering is caught by the check that names it', () => {
  const bump = (i: number, f: 'score_ppm' | 'ci_low_ppm' | 'ci_high_ppm' | 'n', d: number) => ({
    ...result, scores: result.scores.map((s, j) => (j === i ? { ...s, [f]: s[f] + d } : s)),
  })
  assert.match(checkScores(bump(2, 'score_ppm', 1)).detail, /is not floor|interval/)
  assert.match(checkScores(bump(0, 'ci_low_ppm', -1)).detail, /interval .* should be/)
  assert.match(checkScores(bump(4, 'ci_high_ppm', 1)).detail, /interval .* should be/)
  assert.match(checkScores({ ...result, overall_ppm: result.overall_ppm + 1 }).detail, /overall_ppm/)
  assert.match(checkScores({ ...result, item_count: result.item_count + 1 }).detail, /sum to/)
  assert.equal(checkAgainstSuite(bump(1, 'n', 1), items).ok, false)
  assert.equal(checkAgainstSuite(result, items.slice(1)).ok, false)
  assert.equal(checkMethod({ ...result, method: 'bootstrap' }).ok, false)
  assert.equal(checkWeightsRoot('weights', result, new Uint8Array(32).fill(8), 'model.safetensors').ok, false)
  assert.equal(checkWeightsRoot('model', result, new Uint8Array(32).fill(7), 'the ModelCommitment').ok, true)
})
