/**
 * Writing trained parameters as a model directory (specs/lasa.md §12.4): every tensor of §4 as F16, rounded to
 * nearest-even straight from binary64 (no double rounding through f32), in expectedTensors order — the same
 * parameters always give the same bytes. F16 halves the size of the committed bundled model (≤ 16 MB).
 */
import { parseConfig } from '../config.ts'
import { encodeSafetensors } from '../safetensors.ts'
import { expectedTensors, type TensorSlot } from '../weights.ts'
import type { LayerParams, Params } from './params.ts'

function roundHalfEven(x: number): number {
  const f = Math.floor(x)
  const d = x - f
  return d > 0.5 ? f + 1 : d < 0.5 ? f : f % 2 === 0 ? f : f + 1
}

/** IEEE 754 binary16 bits of v, round to nearest, ties to even; overflow → ±∞. */
export function f16Bits(v: number): number {
  if (Number.isNaN(v)) return 0x7e00
  const sign = v < 0 || Object.is(v, -0) ? 0x8000 : 0
  const a = Math.abs(v)
  if (a >= 65520) return sign | 0x7c00 // rounds past the largest finite half (65504)
  if (a < 2 ** -14) return sign | roundHalfEven(a * 2 ** 24) // subnormal (1024 carries into the smallest normal)
  let e = Math.floor(Math.log2(a))
  if (2 ** e > a) e--
  if (2 ** (e + 1) <= a) e++
  let m = roundHalfEven((a / 2 ** e - 1) * 1024) // exact: division by a power of two, then a subtraction of 1
  if (m === 1024) { m = 0; e++ }
  if (e > 15) return sign | 0x7c00
  return sign | ((e + 15) << 10) | m
}

/** The binary64 array (or expert slice) of `p` that a tensor slot designates (kernels/weights.ts slotView for Params). */
export function paramSlot(p: Params, s: TensorSlot): Float64Array {
  const whole = s.layer < 0 ? p[s.field as 'embed' | 'norm' | 'lmHead'] : p.layers[s.layer]![s.field as keyof LayerParams]
  if (whole === null) throw new Error(`no storage for ${s.name}`)
  if (s.expert < 0) return whole
  const n = s.shape[0]! * s.shape[1]!
  return whole.subarray(s.expert * n, (s.expert + 1) * n)
}

/** config.json text and F16 model.safetensors of `params` (lmHead omitted when the config ties it). */
export function modelFilesF16(configJson: Record<string, unknown>, params: Params): { config: string; safetensors: Uint8Array } {
  const config = parseConfig(configJson)
  const tensors = expectedTensors(config).map((s) => {
    const src = paramSlot(params, s)
    const data = new Uint8Array(src.length * 2)
    const dv = new DataView(data.buffer)
    for (let i = 0; i < src.length; i++) dv.setUint16(2 * i, f16Bits(src[i]!), true)
    return { name: s.name, dtype: 'F16', shape: s.shape, data }
  })
  return { config: JSON.stringify(configJson, null, 2) + '\n', safetensors: encodeSafetensors(tensors) }
}
