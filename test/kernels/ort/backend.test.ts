import { test } from 'node:test'
import assert from 'node:assert/strict'
import { ensureBundledModel, randomWeights } from '../../../kernels/bundled.ts'
import { mulberry32 } from '../../../kernels/random.ts'
import { parseConfig, type Config } from '../../../kernels/config.ts'
import { ModelError } from '../../../kernels/errors.ts'
import { loadModel } from '../../../kernels/loader.ts'
import { TsBackend } from '../../../kernels/ts-backend.ts'
import type { Weights } from '../../../kernels/weights.ts'
import { chunkSize, createOrtBackend } from '../../../kernels/ort/index.ts'

/** Every row of `got` equals `want` to 1e-4 relative (to the row's largest logit). */
function assertClose(got: Float32Array[], want: Float32Array[], what: string): void {
  assert.equal(got.length, want.length, `${what}: row count`)
  for (let r = 0; r < want.length; r++) {
    let scale = 1e-6
    for (const v of want[r]!) scale = Math.max(scale, Math.abs(v))
    for (let i = 0; i < want[r]!.length; i++) {
      const d = Math.abs(got[r]![i]! - want[r]![i]!)
      assert.ok(d <= 1e-4 * scale, `${what}: row ${r} logit ${i}: ${got[r]![i]} vs ${want[r]![i]} (scale ${scale})`)
    }
  }
}

function tokens(n: number, vocab: number, seed: number): number[] {
  const rand = mulberry32(seed)
  return Array.from({ length: n }, () => Math.floor(rand() * vocab))
}

/** TS reference rows for `toks`, then ORT by prefill (chunks) and by prefill(first) + one step per token. */
async function agree(model: { config: Config; weights: Weights }, toks: number[], first: number, what: string): Promise<void> {
  const want = await new TsBackend(model.config, model.weights).prefill(toks, true)
  const ort = await createOrtBackend(model)
  try {
    assertClose(await ort.prefill(toks, true), want, `${what} prefill`)
    ort.reset()
    assertClose(await ort.prefill(toks, false), want.slice(-1), `${what} prefill, last row only`)
    ort.reset()
    const rows = await ort.prefill(toks.slice(0, first), true)
    for (const t of toks.slice(first)) rows.push(await ort.step(t))
    assert.equal(ort.position, toks.length)
    assertClose(rows, want, `${what} incremental decode`)
  } finally {
    await ort.dispose()
  }
}

test('bundled LASA model: ORT logits equal the TS reference, prefill and decode past G + W (ring wraps)', async () => {
  const model = loadModel(await ensureBundledModel())
  const { globals, window } = model.config
  const n = 2 * (globals + window[0]!) + 13
  await agree(model, tokens(n, model.config.vocab, 1), 5, 'bundled')
})

test('bundled LASA model: several banded prefill chunks (padded tail), then decode', async () => {
  const model = loadModel(await ensureBundledModel())
  const n = 2 * chunkSize(model.config) + 77
  await agree(model, tokens(n, model.config.vocab, 6), n - 40, 'bundled, long')
})

test('LASA with per-layer windows, without and with global tokens', async () => {
  const json = {
    vocab_size: 270, hidden_size: 32, intermediate_size: 24, num_hidden_layers: 3, num_attention_heads: 4,
    num_key_value_heads: 1, num_local_experts: 8, num_experts_per_tok: 2, rope_theta: 10000,
    lasa_window: [3, 17, 8], lasa_global_tokens: 0,
  }
  const config = parseConfig(json)
  await agree({ config, weights: randomWeights(config, 11) }, tokens(60, 270, 2), 9, 'per-layer windows')
  const sinks = parseConfig({ ...json, lasa_global_tokens: 5 })
  const n = chunkSize(sinks) + 40
  await agree({ config: sinks, weights: randomWeights(sinks, 12) }, tokens(n, 270, 7), n - 30, 'per-layer windows, G = 5')
})

test('plain Mixtral (no LASA keys): full causal attention, dense cache grows past its first allocation', async () => {
  const config = parseConfig({
    model_type: 'mixtral', vocab_size: 300, hidden_size: 64, intermediate_size: 48, num_hidden_layers: 2,
    num_attention_heads: 4, num_key_value_heads: 2, num_local_experts: 8, num_experts_per_tok: 2,
    rope_theta: 1e6, tie_word_embeddings: true,
  })
  await agree({ config, weights: randomWeights(config, 5) }, tokens(300, 300, 3), 250, 'mixtral')
})

test('snapshot/restore replays the same logits; bad tokens are refused', async () => {
  const model = loadModel(await ensureBundledModel())
  const ort = await createOrtBackend(model)
  try {
    await ort.prefill(tokens(80, model.config.vocab, 4), false)
    const state = ort.snapshot()
    const a = await ort.step(65)
    await ort.step(66)
    ort.restore(state)
    assert.equal(ort.position, 80)
    assert.deepEqual(await ort.step(65), a)
    assert.throws(() => ort.restore({ position: 3 }), TypeError)
    await assert.rejects(ort.prefill([], false), RangeError)
    await assert.rejects(ort.prefill([1, model.config.vocab], false), RangeError)
    await assert.rejects(ort.step(-1), RangeError)
    await assert.rejects(ort.step(1.5), RangeError)
    assert.equal(ort.position, 81)
  } finally {
    await ort.dispose()
  }
})

test('a model too large for an in-memory ONNX graph is refused with a clear error, before any allocation', async () => {
  const mixtral8x7b = parseConfig({
    model_type: 'mixtral', vocab_size: 32000, hidden_size: 4096, intermediate_size: 14336, num_hidden_layers: 32,
    num_attention_heads: 32, num_key_value_heads: 8, num_local_experts: 8, num_experts_per_tok: 2,
  })
  const small = loadModel(await ensureBundledModel()).weights // never read: the size check comes first
  await assert.rejects(createOrtBackend({ config: mixtral8x7b, weights: small }), (e: unknown) => e instanceof ModelError && e.code === 'unsupported_config' && /ts backend/.test(e.message))
})
