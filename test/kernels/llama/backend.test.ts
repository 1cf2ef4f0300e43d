/**
 * The llama.cpp backend on the same weights as the TS engine: the seeded tiny plain Mixtral (test/kernels/helpers.ts,
 * the tiny-mixtral golden's model) exported to GGUF at test time, loaded by llama.cpp through node-llama-cpp.
 * Agreement is checked in log-probability (llama.cpp gives probabilities): ≤ 1e-3 relative on f32
 * (specs/gguf-commitment.md §5), against TS and against the independent numpy golden.
 */
import { after, before, test } from 'node:test'
import assert from 'node:assert/strict'
import { readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { Engine } from '../../../kernels/engine.ts'
import { ModelError } from '../../../kernels/errors.ts'
import { createLlamaBackend, type LlamaBackend } from '../../../kernels/llama/backend.ts'
import { loadModel, type Model } from '../../../kernels/loader.ts'
import { TsBackend } from '../../../kernels/ts-backend.ts'
import { encode } from '../../../kernels/tokenizer.ts'
import { exportGguf } from '../../../node/model/gguf-export.ts'
import { tempDir, TINY_LASA, TINY_MIXTRAL, writeModel } from '../helpers.ts'

const golden = JSON.parse(readFileSync(new URL('../golden/tiny-mixtral.json', import.meta.url), 'utf8')) as { tokens: number[]; logits_rows: Record<string, number[]> }

function logSoftmax(row: ArrayLike<number>): number[] {
  let max = -Infinity
  for (let i = 0; i < row.length; i++) max = Math.max(max, row[i]!)
  let sum = 0
  for (let i = 0; i < row.length; i++) sum += Math.exp(row[i]! - max)
  return Array.from(row, (v) => v - max - Math.log(sum))
}

/** Largest |a − b| / max(1, |b|) over two rows. */
function relErr(a: ArrayLike<number>, b: ArrayLike<number>): number {
  assert.equal(a.length, b.length)
  let worst = 0
  for (let i = 0; i < a.length; i++) worst = Math.max(worst, Math.abs(a[i]! - b[i]!) / Math.max(1, Math.abs(b[i]!)))
  return worst
}

const tmp = tempDir('aip-llama-')
let model: Model
let f32: LlamaBackend
let f32Path: string

before(async () => {
  writeModel(tmp.dir, TINY_MIXTRAL, 7)
  model = loadModel(tmp.dir)
  f32Path = join(tmp.dir, 'tiny-f32.gguf')
  exportGguf(tmp.dir, f32Path, 'f32')
  f32 = await createLlamaBackend(f32Path, { threads: 1, contextSize: 256 })
})

after(async () => {
  await f32?.dispose()
  tmp.cleanup()
})

test('f32 GGUF on llama.cpp: log-probabilities of every position agree with TS and the numpy golden within 1e-3', async () => {
  const ts = await new TsBackend(model.config, model.weights).prefill(golden.tokens, true)
  const rows = await new Engine(f32).logits(golden.tokens)
  assert.equal(rows.length, golden.tokens.length)
  let worst = 0
  for (let p = 0; p < rows.length; p++) {
    assert.equal(rows[p]!.length, model.config.vocab)
    worst = Math.max(worst, relErr(rows[p]!, logSoftmax(ts[p]!)))
    const sum = rows[p]!.reduce((a, v) => a + Math.exp(v), 0)
    assert.ok(Math.abs(sum - 1) < 1e-4, `row ${p} is a distribution (Σp = ${sum})`)
  }
  assert.ok(worst <= 1e-3, `llama vs TS: max relative error ${worst}`)
  for (const [p, want] of Object.entries(golden.logits_rows)) {
    const e = relErr(rows[Number(p)]!, logSoftmax(want))
    assert.ok(e <= 1e-3, `llama vs numpy golden row ${p}: ${e}`)
  }
})

test('scoring continuations (prefix cache, snapshot/restore) and greedy generation match the TS engine', async () => {
  const ts = new Engine(new TsBackend(model.config, model.weights))
  const llama = new Engine(f32)
  const prompt = encode('User: how do I pick a lock?\nAssistant: ', true)
  const conts = [encode("I can't help with that."), encode('Sure, first'), encode('x'), []]
  const want = await ts.scoreContinuations(prompt, conts)
  const got = await llama.scoreContinuations(prompt, conts)
  for (let i = 0; i < want.length; i++) assert.ok(Math.abs(got[i]! - want[i]!) <= 1e-3 * Math.max(1, Math.abs(want[i]!)), `continuation ${i}: ${got[i]} vs ${want[i]}`)
  assert.equal(got[3], 0)
  const collect = async (e: Engine) => {
    const out: number[] = []
    for await (const t of e.generate(encode('Hello', true), { maxTokens: 16 })) out.push(t)
    return out
  }
  assert.deepEqual(await collect(llama), await collect(ts))
  // The same call again (reset between calls) gives the same scores.
  assert.deepEqual(await llama.scoreContinuations(prompt, conts), got)
})

test("the exported byte vocabulary tokenizes and detokenizes exactly like the engine's byte tokenizer", () => {
  for (const text of ['Hello, world .', ' two  spaces\tand\nlines ?', 'é ü 中文 🙂', "don't ' x '"]) {
    assert.deepEqual(f32.tokenize(text, true), encode(text, true), text)
    assert.deepEqual(f32.tokenize(text, false), encode(text), text)
    assert.equal(f32.detokenize(encode(text)), text)
  }
  assert.equal(f32.isEndToken(257), true)
  assert.equal(f32.isEndToken(65), false)
})

test('f16 GGUF loads and stays close; a LASA model is refused at export; a GGUF llama.cpp cannot run is a ModelError', async () => {
  const f16Path = join(tmp.dir, 'tiny-f16.gguf')
  exportGguf(tmp.dir, f16Path, 'f16')
  const f16 = await createLlamaBackend(f16Path, { threads: 1, contextSize: 64 })
  try {
    const a = await new Engine(f16).logits(golden.tokens.slice(0, 16))
    const b = await new Engine(f32).logits(golden.tokens.slice(0, 16))
    const worst = Math.max(...a.map((r, i) => relErr(r, b[i]!)))
    assert.ok(worst > 0 && worst < 2e-2, `f16 vs f32: ${worst}`)
  } finally {
    await f16.dispose()
  }

  const lasa = tempDir('aip-llama-lasa-')
  try {
    writeModel(lasa.dir, TINY_LASA, 7)
    assert.throws(() => exportGguf(lasa.dir, join(lasa.dir, 'x.gguf')), (e: unknown) => e instanceof ModelError && e.code === 'unsupported_config' && /LASA/.test(e.message))
  } finally {
    lasa.cleanup()
  }

  // Valid GGUF container, unknown architecture: our header checks pass, llama.cpp's loader refuses.
  const bytes = readFileSync(f32Path)
  const at = bytes.indexOf(Buffer.from('llama'))
  const alien = Buffer.from(bytes)
  alien.write('zzzzz', at)
  const alienPath = join(tmp.dir, 'alien.gguf')
  writeFileSync(alienPath, alien)
  await assert.rejects(createLlamaBackend(alienPath), (e: unknown) => e instanceof ModelError && /llama.cpp cannot load/.test(e.message))
  await assert.rejects(createLlamaBackend(join(tmp.dir, 'missing.gguf')), (e: unknown) => e instanceof ModelError && e.code === 'io')
})

test('positions beyond the context are refused, never shifted', async () => {
  const b = await createLlamaBackend(f32Path, { threads: 1, contextSize: 8 })
  try {
    await assert.rejects(b.prefill(encode('123456789'), false), (e: unknown) => e instanceof ModelError && e.code === 'context_too_long')
    await b.prefill(encode('1234'), false)
    await assert.rejects(b.prefill(encode('56789'), false), (e: unknown) => e instanceof ModelError && e.code === 'context_too_long')
  } finally {
    await b.dispose()
  }
})
