import { test } from 'node:test'
import assert from 'node:assert/strict'
import { randomWeights } from '../../kernels/bundled.ts'
import { parseConfig } from '../../kernels/config.ts'
import { argmax, Engine } from '../../kernels/engine.ts'
import { loadModel } from '../../kernels/loader.ts'
import { logSoftmaxAt } from '../../kernels/ops.ts'
import { mulberry32 } from '../../kernels/random.ts'
import { PREFILL_CHUNK, TsBackend } from '../../kernels/ts-backend.ts'
import { tempDir, TINY_LASA, TINY_MIXTRAL, writeModel } from './helpers.ts'

function tokens(n: number, seed: number, vocab = 258): number[] {
  const rand = mulberry32(seed)
  return Array.from({ length: n }, () => Math.floor(rand() * vocab))
}

function tiny(json: Record<string, unknown> = TINY_LASA): TsBackend {
  const c = parseConfig(json)
  return new TsBackend(c, randomWeights(c, 21))
}

test('incremental decoding with the cache equals full recomputation, past G + W (ring wraps)', () => {
  const b = tiny()
  const toks = tokens(40, 1) // G + W = 10 and 7: the rings wrap several times
  const full = b.forward(toks, true)
  b.reset()
  const rows = [...b.forward(toks.slice(0, 3), true)]
  for (let i = 3; i < toks.length; i++) rows.push(b.forward([toks[i]!], false)[0]!)
  assert.equal(rows.length, full.length)
  for (let i = 0; i < full.length; i++) assert.deepEqual(rows[i], full[i], `position ${i}`)
})

test('prefill in pieces and across PREFILL_CHUNK boundaries equals one prefill', () => {
  const b = tiny()
  const toks = tokens(PREFILL_CHUNK + 70, 2)
  const full = b.forward(toks, true)
  b.reset()
  const a = b.forward(toks.slice(0, 100), true)
  const rest = b.forward(toks.slice(100), true)
  const rows = [...a, ...rest]
  for (const i of [0, 99, 100, PREFILL_CHUNK - 1, PREFILL_CHUNK, toks.length - 1]) assert.deepEqual(rows[i], full[i], `position ${i}`)
  b.reset()
  assert.deepEqual(b.forward(toks, false)[0], full[full.length - 1])
})

test('the LASA cache allocation stays constant while decoding', () => {
  const b = tiny()
  const before = b.cacheBytes
  b.forward(tokens(300, 3), false)
  for (const t of tokens(20, 4)) b.forward([t], false)
  assert.equal(b.cacheBytes, before)
  assert.equal(b.position, 320)
})

test('a plain Mixtral model (no LASA keys, 8 experts, tied) loads from disk and decodes incrementally', () => {
  const { dir, cleanup } = tempDir()
  try {
    writeModel(dir, TINY_MIXTRAL)
    const m = loadModel(dir)
    const b = new TsBackend(m.config, m.weights)
    const toks = tokens(30, 5, 260)
    const full = b.forward(toks, true)
    b.reset()
    b.forward(toks.slice(0, 10), false)
    for (let i = 10; i < 30; i++) assert.deepEqual(b.forward([toks[i]!], false)[0], full[i])
    assert.ok(full.every((r) => r.every(Number.isFinite)))
    // Full causal attention: unlike LASA with a short window, the first token still matters at position 29.
    b.reset()
    const changed = b.forward([(toks[0]! + 1) % 260, ...toks.slice(1)], true)
    assert.notDeepEqual(changed[29], full[29])
  } finally {
    cleanup()
  }
})

test('LASA: a token outside K(i) has no influence; a sink token does', () => {
  const b = tiny({ ...TINY_LASA, lasa_window: 4, lasa_global_tokens: 1, num_hidden_layers: 1 })
  const toks = tokens(12, 6)
  const base = b.forward(toks, true)[11]!
  b.reset()
  const alt = [...toks]
  alt[3] = (alt[3]! + 1) % 258 // 11 − 3 ≥ W and 3 ≥ G: outside K(11) in the only layer
  assert.deepEqual(b.forward(alt, true)[11], base)
  b.reset()
  const sink = [...toks]
  sink[0] = (sink[0]! + 1) % 258
  assert.notDeepEqual(b.forward(sink, true)[11], base)
})

test('scoreContinuations equals summed log-softmax of full logits, reusing the prompt cache', async () => {
  const e = new Engine(tiny())
  const prompt = tokens(15, 7)
  const conts = [tokens(5, 8), [42], [], tokens(12, 9)]
  const scores = await e.scoreContinuations(prompt, conts)
  for (let c = 0; c < conts.length; c++) {
    const cont = conts[c]!
    if (cont.length === 0) {
      assert.equal(scores[c], 0)
      continue
    }
    const rows = await e.logits([...prompt, ...cont])
    let want = 0
    for (let i = 0; i < cont.length; i++) want += logSoftmaxAt(rows[prompt.length - 1 + i]!, cont[i]!)
    assert.ok(Math.abs(scores[c]! - want) < 1e-9, `${scores[c]} vs ${want}`)
  }
  await assert.rejects(e.scoreContinuations(prompt, [[1, 999]]), RangeError)
})

test('generate: greedy follows argmax of the logits; seeded sampling is reproducible; stop tokens end it', async () => {
  const e = new Engine(tiny())
  const prompt = tokens(6, 10)
  const out: number[] = []
  for await (const t of e.generate(prompt, { maxTokens: 8 })) out.push(t)
  assert.equal(out.length, 8)
  const seq = [...prompt]
  for (let i = 0; i < 8; i++) {
    const rows = await e.logits(seq)
    seq.push(argmax(rows[rows.length - 1]!))
  }
  assert.deepEqual(out, seq.slice(prompt.length))

  const run = async (seed: number) => {
    const r: number[] = []
    for await (const t of e.generate(prompt, { maxTokens: 12, temperature: 1.5, seed })) r.push(t)
    return r
  }
  assert.deepEqual(await run(1), await run(1))
  assert.notDeepEqual(await run(1), await run(2))

  const stopped: number[] = []
  for await (const t of e.generate(prompt, { maxTokens: 8, stop: [out[2]!] })) stopped.push(t)
  assert.deepEqual(stopped, out.slice(0, out.indexOf(out[2]!)))
})

test('bad token ids and empty prompts are refused, not run', async () => {
  const e = new Engine(tiny())
  await assert.rejects(e.logits([1, 258 + 100]), /not an id/)
  await assert.rejects(e.logits([1.5]), /not an id/)
  await assert.rejects(e.logits([-1]), /not an id/)
  await assert.rejects(e.logits([]), /at least one token/)
  await assert.rejects(async () => {
    for await (const _ of e.generate([1], { maxTokens: -1 })) void _
  }, /maxTokens/)
})

test('limits: dense (plain Mixtral) context and logits rows are bounded with clear errors', async () => {
  const { DENSE_MAX_CONTEXT, MAX_LOGITS_ROWS } = await import('../../kernels/constants.ts')
  const dense = tiny(TINY_MIXTRAL)
  dense.position = DENSE_MAX_CONTEXT - 1 // as if that many tokens had been fed
  assert.throws(() => dense.forward([1, 2], false), (e: unknown) => e instanceof Error && (e as { code?: string }).code === 'context_too_long')
  const e = new Engine(tiny())
  await assert.rejects(e.logits(new Array<number>(MAX_LOGITS_ROWS + 1).fill(1)), /at most/)
  await assert.rejects(e.scoreContinuations([1], [new Array<number>(MAX_LOGITS_ROWS + 1).fill(1)]), /at most/)
})
