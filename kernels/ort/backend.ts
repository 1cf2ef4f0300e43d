/**
 * The 'ort' Backend (kernels/backend.ts) on onnxruntime-node, CPU provider, one intra-op thread.
 * Prefill runs chunks of ≤ ORT_MAX_CHUNK tokens (blocked attention) through the sparse-MoE graph; step() runs
 * one token through the fused-MoE (com.microsoft MoE) graph. The bounded KV cache lives in JavaScript (cache.ts).
 */
import ort from 'onnxruntime-node'
import type { Backend, BackendState } from '../backend.ts'
import type { Config } from '../config.ts'
import { ModelError } from '../errors.ts'
import { checkTokens } from '../tokenizer.ts'
import { paramCounts, type Weights } from '../weights.ts'
import { KvCache, type ChunkPlan } from './cache.ts'
import { ORT_ATTENTION_BLOCK, ORT_DENSE_CHUNK, ORT_MAX_CHUNK, ORT_MAX_MODEL_BYTES } from './constants.ts'
import type { GraphKind } from './graph.ts'
import { ropeTables } from './rope.ts'
import { acquireSessions, type ModelSessions } from './sessions.ts'

interface OrtState extends BackendState {
  readonly owner: OrtBackend
  readonly layers: { k: Float32Array; v: Float32Array }[]
}

/** Query block B of blocked attention (LASA), or one block for the whole chunk (plain Mixtral). */
function blockSize(c: Config): number {
  return c.lasa ? ORT_ATTENTION_BLOCK : Infinity
}

/** Tokens per prefill run: ORT_MAX_CHUNK (LASA; a multiple of the block), ORT_DENSE_CHUNK (plain Mixtral). */
export function chunkSize(c: Config): number {
  return c.lasa ? ORT_MAX_CHUNK : ORT_DENSE_CHUNK
}

/** Layout of a run over `count` tokens: one block when it fits, else whole blocks of B (the tail padded). */
export function chunkPlan(c: Config, count: number): ChunkPlan {
  const B = blockSize(c)
  if (count <= B) return { blocks: 1, block: count, count }
  return { blocks: Math.ceil(count / B), block: B, count }
}

export class OrtBackend implements Backend {
  readonly name = 'ort' as const
  readonly runtime = `onnxruntime-node ${ort.env.versions.node ?? 'unknown'}`
  private cache: KvCache

  constructor(
    readonly config: Config,
    private readonly sessions: ModelSessions,
  ) {
    this.cache = new KvCache(config)
  }

  get position(): number {
    return this.cache.length
  }

  /** Bytes allocated by the KV cache (for benchmarks and memory accounting). */
  get cacheBytes(): number {
    return this.cache.bytes
  }

  async prefill(tokens: readonly number[], all: boolean): Promise<Float32Array[]> {
    this.check(tokens)
    const rows: Float32Array[] = []
    const step = chunkSize(this.config)
    for (let at = 0; at < tokens.length; at += step) {
      const chunk = tokens.slice(at, at + step)
      const last = at + chunk.length === tokens.length
      const want = all ? chunk.map((_, t) => t) : last ? [chunk.length - 1] : []
      const logits = await this.run(chunk, chunk.length === 1 ? 'decode' : 'prefill', want)
      const V = this.config.vocab
      for (let r = 0; r < want.length; r++) rows.push(logits.slice(r * V, (r + 1) * V))
    }
    return rows
  }

  async step(token: number): Promise<Float32Array> {
    this.check([token])
    return this.run([token], 'decode', [0])
  }

  snapshot(): OrtState {
    const layers = this.cache.layers.map((c) => ({ k: c.k.slice(), v: c.v.slice() }))
    return { position: this.cache.length, owner: this, layers }
  }

  restore(state: BackendState): void {
    const s = state as Partial<OrtState>
    if (s.owner !== this || s.layers === undefined) throw new TypeError('restore: state was not made by this backend')
    const cache = new KvCache(this.config)
    s.layers.forEach((c, l) => (cache.layers[l] = { k: c.k.slice(), v: c.v.slice() }))
    cache.length = s.position!
    this.cache = cache
  }

  reset(): void {
    this.cache = new KvCache(this.config)
  }

  async dispose(): Promise<void> {
    await this.sessions.release()
  }

  private check(tokens: readonly number[]): void {
    if (tokens.length === 0) throw new RangeError('prefill needs at least one token')
    checkTokens(tokens, this.config.vocab) // same errors as the TS backend
    this.cache.checkRoom(tokens.length)
  }

  /** One graph run over `tokens` (≤ one chunk) at the current position; appends their K/V; returns the logits
   * (wanted.length, vocab) of the chunk positions `wanted`. */
  private async run(tokens: readonly number[], kind: GraphKind, wanted: number[]): Promise<Float32Array> {
    const c = this.config
    const plan = chunkPlan(c, tokens.length)
    const C = plan.blocks * plan.block // padded with token 0 after the real tokens: never attended by them
    const cache = this.cache
    const { cos, sin } = ropeTables(c, cache.length, C)
    const ids = new BigInt64Array(C)
    tokens.forEach((t, i) => (ids[i] = BigInt(t)))
    const feeds: Record<string, ort.Tensor> = {
      tokens: new ort.Tensor('int64', ids, [C]),
      cos: new ort.Tensor('float32', cos, [C, 1, c.headDim]),
      sin: new ort.Tensor('float32', sin, [C, 1, c.headDim]),
      rows: new ort.Tensor('int64', BigInt64Array.from(wanted, (t) => BigInt(t)), [wanted.length]),
    }
    if (kind === 'prefill') feeds.blocks = new ort.Tensor('int64', BigInt64Array.of(BigInt(plan.blocks), BigInt(plan.block)), [2])
    for (const b of cache.bias(plan).values()) {
      const dims = [plan.blocks, 1, plan.block, b.keys]
      feeds[`keys.${b.group}`] = new ort.Tensor('int64', b.index, [plan.blocks, b.keys])
      feeds[`dist.${b.group}`] = new ort.Tensor('float32', b.dist, dims)
    }
    for (let l = 0; l < c.layers; l++) {
      const v = cache.view(l)
      feeds[`cache_k.${l}`] = new ort.Tensor('float32', v.k, [v.slots, c.kvHeads, c.headDim])
      feeds[`cache_v.${l}`] = new ort.Tensor('float32', v.v, [v.slots, c.kvHeads, c.headDim])
    }
    const out = await (await this.sessions.get(kind)).run(feeds)
    const keys: Float32Array[] = []
    const values: Float32Array[] = []
    for (let l = 0; l < c.layers; l++) {
      keys.push(out[`k.${l}`]!.data as Float32Array)
      values.push(out[`v.${l}`]!.data as Float32Array)
    }
    cache.append(keys, values, tokens.length)
    return out.logits!.data as Float32Array
  }
}

/** The BackendFactory of kernels/backend.ts for onnxruntime. */
export async function createOrtBackend(model: { config: Config; weights: Weights }): Promise<OrtBackend> {
  const bytes = 4 * paramCounts(model.config).total
  if (bytes > ORT_MAX_MODEL_BYTES) {
    throw new ModelError('unsupported_config', `the ort backend builds in-memory ONNX models of at most ${ORT_MAX_MODEL_BYTES} bytes; this model has ${bytes} bytes of f32 weights (use the ts backend)`)
  }
  const sessions = acquireSessions(model.config, model.weights)
  try {
    await sessions.get('prefill') // fail early (and warm the cache) rather than on first use
  } catch (e) {
    await sessions.release()
    throw e
  }
  return new OrtBackend(model.config, sessions)
}
