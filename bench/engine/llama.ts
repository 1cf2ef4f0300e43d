/**
 * bench/engine.ts's llama.cpp section: the ORT engine and llama.cpp on identical weights, one thread each, same run.
 * Two seeded, UNTRAINED plain Mixtral models (llama.cpp has no LASA): the bundled model's sizes without the LASA keys,
 * and a ~100M-parameter one, generated once into kernels/models/generated/ (gitignored) and exported to f32 GGUF.
 *
 *   llama/ort prefill tok/s   PROMPT-token prompt from an empty cache (best of REPS, rounds interleaved)
 *   llama/ort decode tok/s    DECODE_STEPS single-token steps after it
 *   llama_logits_max_rel_err  max |lp_llama − lp_TS| / max(1, |lp_TS|) over every position and vocabulary entry
 */
import { existsSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import type { Backend } from '../../kernels/index.ts'
import { createLlamaBackend, loadModel, modelFilesFor, parseConfig, randomWeights, TsBackend, writeModelDir, BUNDLED_CONFIG_JSON } from '../../kernels/index.ts'
import { createOrtBackend } from '../../kernels/ort/index.ts'
import { exportGguf } from '../../node/index.ts'

const GENERATED = fileURLToPath(new URL('../../kernels/models/generated/', import.meta.url))
/** Bumped when the generated models below change. */
const REVISION = 1

const { lasa_window: _w, lasa_global_tokens: _g, ...bundledPlain } = BUNDLED_CONFIG_JSON
export const PLAIN_MODELS = {
  bundled: { name: 'aip-tiny-mixtral', seed: 0x4c4c4d31, config: { ...bundledPlain, model_type: 'mixtral', architectures: ['MixtralForCausalLM'] } },
  '100m': {
    name: 'aip-mixtral-100m', seed: 0x4c4c4d32,
    config: {
      architectures: ['MixtralForCausalLM'], model_type: 'mixtral', aip_untrained: true, aip_tokenizer: 'bytes-v1', vocab_size: 272, hidden_size: 512,
      intermediate_size: 1024, num_hidden_layers: 8, num_attention_heads: 8, num_key_value_heads: 4, head_dim: 64, num_local_experts: 8,
      num_experts_per_tok: 2, rms_norm_eps: 1e-5, rope_theta: 10000, tie_word_embeddings: false, hidden_act: 'silu', torch_dtype: 'float32',
    },
  },
} as const

/** The model directory and its f32 GGUF, generated if absent or stale. */
export function ensurePlainModel(which: keyof typeof PLAIN_MODELS): { dir: string; gguf: string } {
  const m = PLAIN_MODELS[which]
  const dir = join(GENERATED, m.name)
  const configJson = { ...m.config, aip_untrained: true, aip_bench_revision: REVISION, aip_seed: m.seed }
  const current = () => {
    try {
      return (JSON.parse(readFileSync(join(dir, 'config.json'), 'utf8')) as { aip_bench_revision?: number }).aip_bench_revision === REVISION
    } catch {
      return false
    }
  }
  if (!current()) writeModelDir(dir, modelFilesFor(configJson, randomWeights(parseConfig(configJson), m.seed)))
  const gguf = join(dir, 'model-f32.gguf')
  if (!existsSync(gguf)) exportGguf(dir, gguf, 'f32')
  return { dir, gguf }
}

export interface LlamaSide {
  params: number
  llama: { prefill: number; decode: number }
  ort: { prefill: number; decode: number }
  maxRelErr: number
  errTokens: number
}

function logSoftmax(row: Float32Array): Float64Array {
  let max = -Infinity
  for (const v of row) max = Math.max(max, v)
  let sum = 0
  for (const v of row) sum += Math.exp(v - max)
  const lse = max + Math.log(sum)
  return Float64Array.from(row, (v) => v - lse)
}

/** Measures one plain model: rounds on ORT and llama.cpp interleaved, then the log-probability error vs TS. */
export async function measurePlain(which: keyof typeof PLAIN_MODELS, o: { prompt: number[]; decodeSteps: number; reps: number; errTokens: number; now: () => number }): Promise<LlamaSide> {
  const { dir, gguf } = ensurePlainModel(which)
  const model = loadModel(dir)
  const ort = await createOrtBackend(model)
  const llama = await createLlamaBackend(gguf, { threads: 1, contextSize: o.prompt.length + o.decodeSteps + 1 })
  const round = async (b: Backend) => {
    b.reset()
    let t0 = o.now()
    await b.prefill(o.prompt, false)
    const prefill = (o.now() - t0) / 1000
    t0 = o.now()
    for (let s = 0; s < o.decodeSteps; s++) await b.step(o.prompt[s]!)
    return { prefill, decode: (o.now() - t0) / 1000 }
  }
  const best = { ort: { prefill: Infinity, decode: Infinity }, llama: { prefill: Infinity, decode: Infinity } }
  await round(ort)
  await round(llama)
  for (let r = 0; r < o.reps; r++) {
    for (const [b, acc] of [[ort, best.ort], [llama, best.llama]] as const) {
      const t = await round(b)
      acc.prefill = Math.min(acc.prefill, t.prefill)
      acc.decode = Math.min(acc.decode, t.decode)
    }
  }
  const errPrompt = o.prompt.slice(0, o.errTokens)
  const tsRows = new TsBackend(model.config, model.weights).forward(errPrompt, true)
  llama.reset()
  const lRows = await llama.prefill(errPrompt, true)
  let maxRelErr = 0
  lRows.forEach((row, p) => {
    const want = logSoftmax(tsRows[p]!)
    for (let i = 0; i < row.length; i++) maxRelErr = Math.max(maxRelErr, Math.abs(row[i]! - want[i]!) / Math.max(1, Math.abs(want[i]!)))
  })
  await ort.dispose()
  await llama.dispose()
  const rate = (t: { prefill: number; decode: number }) => ({ prefill: o.prompt.length / t.prefill, decode: o.decodeSteps / t.decode })
  let params = 0
  for (const t of Object.values(model.weights.layers[0]!)) if (t !== null) params += t.length * model.config.layers
  params += model.weights.embed.length + model.weights.norm.length + (model.config.tied ? 0 : model.weights.lmHead.length)
  return { params, llama: rate(best.llama), ort: rate(best.ort), maxRelErr, errTokens: errPrompt.length }
}
