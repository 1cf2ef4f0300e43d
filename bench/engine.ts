/**
 * `npm run bench -- engine [--quick] [--wall]`: the engine's figures of issue 3 on the bundled model, one thread.
 * Prints a table, then (last line) one JSON object. Ratios are measured in the same run: the machine is shared.
 *
 *   ts/ort prefill tok/s   512-token prompt from an empty cache (best of REPS)
 *   ts/ort decode tok/s    DECODE_STEPS single-token steps after that prompt (best of REPS)
 *   ts_gemm_gflops         the TS matmulT kernel, 256×256×256, one core
 *   lasa/dense kv bytes    the ORT backend's real cache allocation after 16,384 tokens vs a full cache of that length
 *   lasa_vs_dense_attn     attention core (kernels/attention.ts attend) for queries at position 16,383, LASA vs W = ∞
 *   moe_vs_dense_ffn       one MoE layer vs a dense SwiGLU FFN with the same total parameters, 512 tokens (ORT; TS too)
 *   fused_vs_sparse_moe    com.microsoft MoE vs the standard-op sparse MoE, 512 tokens and 1 token (why prefill/decode differ)
 *   llama_*, ort_vs_llama_*  ORT vs llama.cpp on identical plain-Mixtral weights (bundled sizes, and ~100M parameters
 *                          unless --no-100m), one thread each; llama_logits_max_rel_err: f32 GGUF vs TS (bench/engine/llama.ts)
 */
import ort from 'onnxruntime-node'
import { attend, attentionParams, KvCache as RefCache } from '../kernels/attention.ts'
import { ensureBundledModel } from '../kernels/bundled.ts'
import { mulberry32 } from '../kernels/random.ts'
import type { Config } from '../kernels/config.ts'
import { loadModel } from '../kernels/loader.ts'
import { matmulT } from '../kernels/matmul.ts'
import { moe as tsMoe } from '../kernels/moe.ts'
import { silu } from '../kernels/ops.ts'
import { TsBackend } from '../kernels/ts-backend.ts'
import type { Backend } from '../kernels/backend.ts'
import type { LayerWeights } from '../kernels/weights.ts'
import { createOrtBackend } from '../kernels/ort/index.ts'
import { moe as ortMoe, transposeInto, type MoeLayout } from '../kernels/ort/moe.ts'
import { GraphBuilder } from '../kernels/ort/onnx.ts'
import { createSession } from '../kernels/ort/sessions.ts'
import { measurePlain, type LlamaSide } from './engine/llama.ts'

const quick = process.argv.includes('--quick')
const PROMPT = 512
const DECODE_STEPS = quick ? 32 : 128
const REPS = quick ? 2 : 7
const LONG = 16_384
const FFN_TOKENS = 512

const rand = mulberry32(2026)
const model = loadModel(await ensureBundledModel())
const c = model.config
const prompt = Array.from({ length: PROMPT }, () => Math.floor(rand() * 256))

/**
 * Milliseconds on the benchmark's clock: process CPU time by default (user + system: every figure here is one
 * thread, and CPU time does not count the time other processes on this shared machine hold the cores), or wall
 * time with --wall.
 */
const wall = process.argv.includes('--wall')
function now(): number {
  if (wall) return performance.now()
  const u = process.cpuUsage()
  return (u.user + u.system) / 1000
}

/** Best-of-REPS seconds of an async body. */
async function best(body: () => Promise<void> | void, reps = REPS): Promise<number> {
  let min = Infinity
  for (let r = 0; r < reps; r++) {
    const t0 = now()
    await body()
    min = Math.min(min, (now() - t0) / 1000)
  }
  return min
}

/** Prefill and decode seconds of one round on a backend (decode: only the steps are timed). */
async function round(b: Backend): Promise<{ prefill: number; decode: number }> {
  b.reset()
  let t0 = now()
  await b.prefill(prompt, false)
  const prefill = (now() - t0) / 1000
  t0 = now()
  for (let s = 0; s < DECODE_STEPS; s++) await b.step(prompt[s]!)
  return { prefill, decode: (now() - t0) / 1000 }
}

// --- prefill / decode: TS and ORT rounds interleaved, so load from other processes hits both alike ----------------
const tsB = new TsBackend(c, model.weights)
const ortB = await createOrtBackend(model)
// Warm-up rounds: ORT's session creation and per-shape allocation plans, and V8's JIT, stay out of the timings.
await round(ortB)
await round(tsB)
const tsBest = { prefill: Infinity, decode: Infinity }
const ortBest = { prefill: Infinity, decode: Infinity }
for (let r = 0; r < REPS; r++) {
  for (const [b, acc] of [[tsB, tsBest], [ortB, ortBest]] as const) {
    const t = await round(b)
    acc.prefill = Math.min(acc.prefill, t.prefill)
    acc.decode = Math.min(acc.decode, t.decode)
  }
}
const ts = { prefill: PROMPT / tsBest.prefill, decode: DECODE_STEPS / tsBest.decode }
const orts = { prefill: PROMPT / ortBest.prefill, decode: DECODE_STEPS / ortBest.decode }

// --- TS GEMM ----------------------------------------------------------------------------------------------------
const G = 256
const ga = Float32Array.from({ length: G * G }, () => rand() - 0.5)
const gb = Float32Array.from({ length: G * G }, () => rand() - 0.5)
const gout = new Float32Array(G * G)
const gemmReps = quick ? 5 : 20
const gemmS = await best(() => {
  for (let r = 0; r < gemmReps; r++) matmulT(gout, ga, gb, G, G, G)
})
const tsGemm = (2 * G * G * G * gemmReps) / gemmS / 1e9

// --- KV bytes after 16k tokens ----------------------------------------------------------------------------------
ortB.reset()
const long = Array.from({ length: LONG }, () => Math.floor(rand() * 256))
await ortB.prefill(long.slice(0, LONG - 64), false)
for (const t of long.slice(LONG - 64)) await ortB.step(t)
const lasaBytes = ortB.cacheBytes
const denseBytes = c.layers * LONG * 2 * c.kvHeads * c.headDim * 4
await ortB.dispose()

// --- attention core at 16k: LASA vs dense -----------------------------------------------------------------------
function attnTime(window: number, globals: number): number {
  const kvDim = c.kvHeads * c.headDim
  const cache = new RefCache(kvDim, window, globals)
  const row = Float32Array.from({ length: kvDim }, () => rand() - 0.5)
  for (let j = 0; j < LONG; j++) cache.put(j, row, 0, row, 0)
  const p = attentionParams(c.heads, c.kvHeads, c.headDim, model.weights.layers[0]!.slope)
  const q = Float32Array.from({ length: c.heads * c.headDim }, () => rand() - 0.5)
  const out = new Float32Array(q.length)
  const scores = new Float64Array(LONG)
  const queries = Number.isFinite(window) ? 2000 : 20
  const s = (() => {
    let min = Infinity
    for (let r = 0; r < REPS; r++) {
      const t0 = now()
      for (let n = 0; n < queries; n++) attend(out, 0, q, 0, LONG - 1, cache, p, scores)
      min = Math.min(min, (now() - t0) / 1000)
    }
    return min
  })()
  return s / queries
}
const lasaAttn = attnTime(c.window[0]!, c.globals)
const denseAttn = attnTime(Infinity, 0)

// --- MoE layer vs dense FFN of equal parameters -----------------------------------------------------------------
const lw = model.weights.layers[0]!
const denseHidden = c.experts * c.hidden // same total parameters: 3·dim·E·hidden
const xs = Float32Array.from({ length: FFN_TOKENS * c.dim }, () => rand() * 2 - 1)
const d13 = Float32Array.from({ length: 2 * denseHidden * c.dim }, () => (rand() - 0.5) * 0.1) // (2·hidden, dim)
const d2 = Float32Array.from({ length: c.dim * denseHidden }, () => (rand() - 0.5) * 0.1) // (dim, hidden)

/** Seconds per run of a one-input graph on x = the first `rows` rows of xs (best of REPS, `reps` runs each). */
async function graphTime(bytes: Uint8Array, rows: number, reps: number): Promise<number> {
  const session = await createSession(bytes)
  const feeds = { x: new ort.Tensor('float32', xs.subarray(0, rows * c.dim), [rows, c.dim]) }
  await session.run(feeds)
  const s = await best(async () => {
    for (let r = 0; r < reps; r++) await session.run(feeds)
  })
  await session.release()
  return s / reps
}

function moeGraph(layout: MoeLayout): Uint8Array {
  const g = new GraphBuilder()
  const x = g.input('x', 'float32', ['C', c.dim])
  g.output(ortMoe(g, c, lw, x, 'l.', layout), 'y', 'float32', ['C', c.dim])
  return g.encode(`moe-${layout}`)
}

function denseFfnGraph(): Uint8Array {
  const g = new GraphBuilder()
  const x = g.input('x', 'float32', ['C', c.dim])
  const w13 = new Float32Array(c.dim * 2 * denseHidden)
  transposeInto(d13, 2 * denseHidden, c.dim, w13, 2 * denseHidden, 0)
  const w2 = new Float32Array(denseHidden * c.dim)
  transposeInto(d2, c.dim, denseHidden, w2, c.dim, 0)
  const h = g.op1('MatMul', [x, g.init('w13', [c.dim, 2 * denseHidden], w13)])
  const [a, b] = g.op('Split', [h, g.ints('split', [denseHidden, denseHidden])], { axis: { i: -1 } }, 2)
  const act = g.op1('Mul', [g.op1('Mul', [a!, g.op1('Sigmoid', [a!])]), b!])
  g.output(g.op1('MatMul', [act, g.init('w2', [denseHidden, c.dim], w2)]), 'y', 'float32', ['C', c.dim])
  return g.encode('dense-ffn')
}

async function ortFfnTimes(): Promise<{ moe: number; dense: number; fused: number; sparse1: number; fused1: number }> {
  const reps = quick ? 3 : 10
  return {
    moe: await graphTime(moeGraph('sparse'), FFN_TOKENS, reps),
    dense: await graphTime(denseFfnGraph(), FFN_TOKENS, reps),
    fused: await graphTime(moeGraph('fused'), FFN_TOKENS, reps),
    sparse1: await graphTime(moeGraph('sparse'), 1, reps * 20),
    fused1: await graphTime(moeGraph('fused'), 1, reps * 20),
  }
}

function tsFfnTimes(w: LayerWeights, cfg: Config): { moe: number; dense: number } {
  const out = new Float32Array(FFN_TOKENS * cfg.dim)
  const h = new Float32Array(FFN_TOKENS * 2 * denseHidden)
  const act = new Float32Array(FFN_TOKENS * denseHidden)
  const dense = () => {
    matmulT(h, xs, d13, FFN_TOKENS, 2 * denseHidden, cfg.dim)
    for (let t = 0; t < FFN_TOKENS; t++) {
      for (let j = 0; j < denseHidden; j++) {
        act[t * denseHidden + j] = silu(h[t * 2 * denseHidden + j]!) * h[t * 2 * denseHidden + denseHidden + j]!
      }
    }
    matmulT(out, act, d2, FFN_TOKENS, cfg.dim, denseHidden)
  }
  const moeRun = () => tsMoe(out, xs, FFN_TOKENS, cfg, w)
  let moe = Infinity
  let den = Infinity
  for (let r = 0; r < REPS; r++) {
    let t0 = now()
    moeRun()
    moe = Math.min(moe, (now() - t0) / 1000)
    t0 = now()
    dense()
    den = Math.min(den, (now() - t0) / 1000)
  }
  return { moe, dense: den }
}

const ortFfn = await ortFfnTimes()
const tsFfn = tsFfnTimes(lw, c)

// --- llama.cpp vs ORT on identical plain-Mixtral weights ---------------------------------------------------------
const plain = await measurePlain('bundled', { prompt, decodeSteps: DECODE_STEPS, reps: REPS, errTokens: 128, now })
const big: LlamaSide | null = process.argv.includes('--no-100m') ? null : await measurePlain('100m', { prompt, decodeSteps: DECODE_STEPS, reps: quick ? 1 : 3, errTokens: 32, now })

// --- report -----------------------------------------------------------------------------------------------------
const r3 = (x: number) => Number(x.toPrecision(3))
const figures = {
  ts_decode_tok_s: r3(ts.decode),
  ort_decode_tok_s: r3(orts.decode),
  ts_prefill_tok_s: r3(ts.prefill),
  ort_prefill_tok_s: r3(orts.prefill),
  ts_gemm_gflops: r3(tsGemm),
  lasa_kv_bytes_16k: lasaBytes,
  dense_kv_bytes_16k: denseBytes,
  lasa_vs_dense_attn_time_16k: r3(lasaAttn / denseAttn),
  moe_vs_dense_ffn_time: r3(ortFfn.moe / ortFfn.dense),
  ts_moe_vs_dense_ffn_time: r3(tsFfn.moe / tsFfn.dense),
  ort_vs_ts_decode: r3(orts.decode / ts.decode),
  ort_vs_ts_prefill: r3(orts.prefill / ts.prefill),
  lasa_vs_dense_kv_bytes_16k: r3(lasaBytes / denseBytes),
  ort_fused_vs_sparse_moe_time_512: r3(ortFfn.fused / ortFfn.moe),
  ort_fused_vs_sparse_moe_time_1: r3(ortFfn.fused1 / ortFfn.sparse1),
  llama_decode_tok_s: r3(plain.llama.decode),
  llama_prefill_tok_s: r3(plain.llama.prefill),
  ort_plain_decode_tok_s: r3(plain.ort.decode),
  ort_plain_prefill_tok_s: r3(plain.ort.prefill),
  ort_vs_llama_decode: r3(plain.ort.decode / plain.llama.decode),
  ort_vs_llama_prefill: r3(plain.ort.prefill / plain.llama.prefill),
  llama_logits_max_rel_err: Number(plain.maxRelErr.toPrecision(2)),
  ...(big === null ? {} : {
    params_100m: big.params,
    llama_decode_tok_s_100m: r3(big.llama.decode),
    llama_prefill_tok_s_100m: r3(big.llama.prefill),
    ort_decode_tok_s_100m: r3(big.ort.decode),
    ort_prefill_tok_s_100m: r3(big.ort.prefill),
    ort_vs_llama_decode_100m: r3(big.ort.decode / big.llama.decode),
    ort_vs_llama_prefill_100m: r3(big.ort.prefill / big.llama.prefill),
    llama_logits_max_rel_err_100m: Number(big.maxRelErr.toPrecision(2)),
  }),
  llama_threads: 1,
  clock: wall ? 'wall' : 'process_cpu',
}
const goals: [string, number, string, boolean][] = [
  ['ORT decode / TS decode', figures.ort_vs_ts_decode, '≥ 2', figures.ort_vs_ts_decode >= 2],
  ['ORT prefill / TS prefill', figures.ort_vs_ts_prefill, '≥ 20', figures.ort_vs_ts_prefill >= 20],
  ['TS GEMM GFLOP/s', figures.ts_gemm_gflops, '≥ 3', figures.ts_gemm_gflops >= 3],
  ['LASA / dense KV bytes at 16k', figures.lasa_vs_dense_kv_bytes_16k, '≤ 0.02', figures.lasa_vs_dense_kv_bytes_16k <= 0.02],
  ['LASA / dense attention time at 16k', figures.lasa_vs_dense_attn_time_16k, '≤ 0.05', figures.lasa_vs_dense_attn_time_16k <= 0.05],
  ['MoE / dense FFN time (ORT, 512 tok)', figures.moe_vs_dense_ffn_time, '≤ 0.25', figures.moe_vs_dense_ffn_time <= 0.25],
  ['MoE / dense FFN time (TS, 512 tok)', figures.ts_moe_vs_dense_ffn_time, '(≤ 0.25)', figures.ts_moe_vs_dense_ffn_time <= 0.25],
  ['ORT / llama.cpp decode (bundled size)', figures.ort_vs_llama_decode, '≥ 0.7', figures.ort_vs_llama_decode >= 0.7],
  ['ORT / llama.cpp prefill (bundled size)', figures.ort_vs_llama_prefill, '≥ 0.7', figures.ort_vs_llama_prefill >= 0.7],
  ['llama.cpp f32 vs TS log-prob rel. error', figures.llama_logits_max_rel_err, '≤ 1e-3', figures.llama_logits_max_rel_err <= 1e-3],
  ...(big === null ? [] : [
    ['ORT / llama.cpp decode (~100M)', figures.ort_vs_llama_decode_100m!, '≥ 0.7', figures.ort_vs_llama_decode_100m! >= 0.7],
    ['ORT / llama.cpp prefill (~100M)', figures.ort_vs_llama_prefill_100m!, '≥ 0.7', figures.ort_vs_llama_prefill_100m! >= 0.7],
    ['llama.cpp f32 vs TS rel. error (~100M)', figures.llama_logits_max_rel_err_100m!, '≤ 1e-3', figures.llama_logits_max_rel_err_100m! <= 1e-3],
  ] as [string, number, string, boolean][]),
]
const rows: [string, string][] = [
  ['TS prefill tok/s (512-token prompt)', String(figures.ts_prefill_tok_s)],
  ['ORT prefill tok/s (512-token prompt)', String(figures.ort_prefill_tok_s)],
  [`TS decode tok/s (${DECODE_STEPS} steps after the prompt)`, String(figures.ts_decode_tok_s)],
  [`ORT decode tok/s (${DECODE_STEPS} steps after the prompt)`, String(figures.ort_decode_tok_s)],
  ['KV bytes after 16,384 tokens: LASA (allocated) / dense', `${lasaBytes} / ${denseBytes}`],
  ['attention per query at 16k: LASA / dense (µs)', `${r3(lasaAttn * 1e6)} / ${r3(denseAttn * 1e6)}`],
  ['ORT FFN 512 tok: MoE / dense (ms)', `${r3(ortFfn.moe * 1e3)} / ${r3(ortFfn.dense * 1e3)}`],
  ['TS FFN 512 tok: MoE / dense (ms)', `${r3(tsFfn.moe * 1e3)} / ${r3(tsFfn.dense * 1e3)}`],
  ['ORT MoE layer 512 tok: sparse (standard ops) / com.microsoft MoE (ms)', `${r3(ortFfn.moe * 1e3)} / ${r3(ortFfn.fused * 1e3)}`],
  ['ORT MoE layer 1 tok: sparse (standard ops) / com.microsoft MoE (µs)', `${r3(ortFfn.sparse1 * 1e6)} / ${r3(ortFfn.fused1 * 1e6)}`],
  [`plain Mixtral, bundled sizes (${plain.params} params): prefill tok/s ORT / llama.cpp`, `${r3(plain.ort.prefill)} / ${r3(plain.llama.prefill)}`],
  ['plain Mixtral, bundled sizes: decode tok/s ORT / llama.cpp', `${r3(plain.ort.decode)} / ${r3(plain.llama.decode)}`],
  [`llama.cpp f32 GGUF vs TS: max rel. error of log p (${plain.errTokens} positions × vocab)`, String(figures.llama_logits_max_rel_err)],
  ...(big === null ? [] : [
    [`plain Mixtral ~100M (${big.params} params): prefill tok/s ORT / llama.cpp`, `${r3(big.ort.prefill)} / ${r3(big.llama.prefill)}`],
    ['plain Mixtral ~100M: decode tok/s ORT / llama.cpp', `${r3(big.ort.decode)} / ${r3(big.llama.decode)}`],
    [`llama.cpp f32 GGUF vs TS, ~100M: max rel. error (${big.errTokens} positions × vocab)`, String(figures.llama_logits_max_rel_err_100m)],
  ] as [string, string][]),
]
console.log(`engine benchmark — bundled model (${c.layers} layers, dim ${c.dim}, ${c.experts} experts top-${c.topK}, W ${c.window[0]}, G ${c.globals}), one thread, ${wall ? 'wall' : 'process CPU'} time${quick ? ', --quick' : ''}`)
for (const [k, v] of rows) console.log(`  ${k.padEnd(70)} ${v}`)
console.log('goals:')
for (const [k, v, goal, ok] of goals) console.log(`  ${k.padEnd(40)} ${String(v).padStart(10)}  goal ${goal.padEnd(8)} ${ok ? 'met' : 'MISSED'}`)
console.log(JSON.stringify(figures))
