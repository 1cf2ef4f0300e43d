/**
 * LoRA runs of SovereignTune (specs/tune-v1.md T7): the options' defaults (alpha = r, all four attention
 * projections, the adapter seed = the run's seed), and the adapter as stored tensors — `lora.NAME.A` (r, in) and
 * `lora.NAME.B` (out, r) in binary64 (F64, the exact trained values) — whose aip-v1 §4.6 root the ledger's
 * checkpoints carry as `adapter_root`.
 */
import { LORA_DEFAULT_TARGETS, adapterTensors, checkLoraOptions } from '../../kernels/index.ts'
import type { Adapter, LoraOptions, LoraTarget } from '../../kernels/index.ts'
import { sha256 } from './ledger.ts'
import { rootOfTensors } from './states.ts'
import type { Tensor } from './states.ts'

/** What `aip tune --lora RANK [--lora-alpha X]` asks for; the rest takes its default. */
export interface LoraParams {
  rank: number
  alpha?: number
  targets?: readonly LoraTarget[]
  seed?: number
}

/** T7: the run's LoRA options (RangeError when invalid): alpha = rank, every target, seed = the run's data-order seed. */
export function loraOptions(p: LoraParams, runSeed: number): LoraOptions {
  const o: LoraOptions = { rank: p.rank, alpha: p.alpha ?? p.rank, targets: p.targets ?? LORA_DEFAULT_TARGETS, seed: p.seed ?? runSeed }
  checkLoraOptions(o)
  return o
}

/** The adapter as F64 tensors, in adapter order (each adapter's A, then its B). */
export function adapterFiles(adapters: readonly Adapter[], rank: number): Tensor[] {
  return adapterTensors(adapters).map((t, i) => {
    const a = adapters[i >> 1]!
    const data = new Uint8Array(Float64Array.from(t.data).buffer)
    return { name: t.name, dtype: 'F64', shape: i % 2 === 0 ? [rank, a.in] : [a.out, rank], data }
  })
}

/** aip-v1 §4.6 over the adapter tensors (the same rule as a weights root). */
export function adapterRoot(tensors: readonly Tensor[]): Uint8Array {
  return rootOfTensors(tensors.map((t) => ({ ...t, sha256: sha256(t.data) })))
}
