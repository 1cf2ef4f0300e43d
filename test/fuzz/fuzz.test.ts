/**
 * The fuzz smoke run (issue 11 item 5): every target with a bounded number of inputs from a fixed seed, through the
 * same harness `npm run fuzz` uses; and proof that the harness reports failures (a fuzzer that cannot fail proves
 * nothing): deliberately broken targets — one that throws an undocumented error, one that hangs, one that accepts
 * mutated input, one that leaks memory — are each reported as failures of their kind.
 */
import '../../node/polyfill.ts'
import { test } from 'node:test'
import assert from 'node:assert/strict'
import fc from 'fast-check'
import { decodeCanonical } from '../../protocol/index.ts'
import { fuzzTarget, HEAP_GROWTH_MAX } from './harness.ts'
import type { FuzzTarget } from './harness.ts'
import { CBOR_VECTORS, mutated } from './corpus.ts'
import { runFuzz } from './run.ts'
import { TARGETS } from './targets/index.ts'

test('fuzz smoke run: every target, 8,000 inputs, no failure', { timeout: 120_000 }, async () => {
  const lines: string[] = []
  const run = await runFuzz(8_000, 20_261_202, undefined, (l) => lines.push(l))
  assert.deepEqual(run.targets.map((t) => t.name), TARGETS.map((t) => t.name), 'every target ran')
  for (const t of run.targets) assert.ok(t.inputs > 0, `${t.name} ran no input`)
  assert.equal(run.failures, 0, lines.join('\n'))
})

test('the harness reports each kind of failure', { timeout: 60_000 }, async () => {
  const bytes = mutated(CBOR_VECTORS)
  // decodes with the real decoder, then throws a plain Error: an undocumented exception is a crash
  const crashing: FuzzTarget = { name: 'crashing', arbitrary: bytes, run: (b) => { decodeCanonical(b); return 'accepted' } }
  const crash = await fuzzTarget(crashing, 300, 1)
  assert.ok((crash.byKind.crash ?? 0) > 0, 'a ProtocolError escaping the target is a crash')
  assert.equal(crash.failures, crash.byKind.crash)
  assert.match(crash.examples[0]!.reason, /^ProtocolError/)

  const hanging: FuzzTarget<number> = { name: 'hanging', arbitrary: fc.nat(3), run: (n) => n === 0 ? new Promise(() => undefined) : 'rejected' }
  const hang = await fuzzTarget(hanging, 8, 1)
  assert.ok((hang.byKind.hang ?? 0) > 0, 'an input without a verdict within 1 s is a hang')

  const lax: FuzzTarget = { name: 'lax', arbitrary: bytes, run: () => ({ fail: 'accepted-invalid', reason: 'accepts everything' }) }
  assert.equal((await fuzzTarget(lax, 50, 1)).byKind['accepted-invalid'], 50)

  const kept: Uint8Array[] = []
  const leaking: FuzzTarget<number> = { name: 'leaking', arbitrary: fc.nat(), run: () => { kept.push(new Uint8Array(1 << 20).fill(1)); return 'accepted' } }
  const leak = await fuzzTarget(leaking, Math.ceil(HEAP_GROWTH_MAX / (1 << 20)) + 8, 1)
  assert.equal(leak.byKind.heap, 1, 'heap growth over 64 MiB is a failure')
  kept.length = 0
})
