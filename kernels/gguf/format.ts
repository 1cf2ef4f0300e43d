/**
 * The GGUF container (llama.cpp docs/gguf.md, version 3), the parts we read and write: value types, GGML tensor
 * types with their block sizes, and the limits a hostile header is checked against (specs/gguf-commitment.md §3).
 */

/** "GGUF" read as a little-endian u32. */
export const GGUF_MAGIC = 0x46554747
/** The only version we write; versions 2 and 3 are read (same layout, 64-bit counts). */
export const GGUF_VERSION = 3
/** Tensor data alignment when general.alignment is absent. */
export const GGUF_DEFAULT_ALIGNMENT = 32

/** Largest GGUF header (metadata + tensor infos) we parse, in bytes (specs/gguf-commitment.md §3). */
export const MAX_GGUF_HEADER_BYTES = 256 << 20
/** Largest number of metadata key/value pairs. */
export const MAX_GGUF_KV = 65_536
/** Largest number of tensors in one GGUF file. */
export const MAX_GGUF_TENSORS = 1_000_000
/** Largest string (key, value or tensor name) in bytes. */
export const MAX_GGUF_STRING_BYTES = 16 << 20
/** Largest metadata array, in elements (a 256k-token vocabulary fits). */
export const MAX_GGUF_ARRAY = 1 << 24
/** Largest tensor rank (ggml's GGML_MAX_DIMS). */
export const MAX_GGUF_DIMS = 4

/** Metadata value types (gguf.md §File Structure, gguf_metadata_value_type). */
export const GgufType = {
  UINT8: 0, INT8: 1, UINT16: 2, INT16: 3, UINT32: 4, INT32: 5, FLOAT32: 6, BOOL: 7, STRING: 8, ARRAY: 9,
  UINT64: 10, INT64: 11, FLOAT64: 12,
} as const
export type GgufTypeId = (typeof GgufType)[keyof typeof GgufType]

/** Bytes of each fixed-size value type. */
export const GGUF_SCALAR_BYTES: Readonly<Record<number, number>> = { 0: 1, 1: 1, 2: 2, 3: 2, 4: 4, 5: 4, 6: 4, 7: 1, 10: 8, 11: 8, 12: 8 }

export type GgufScalar = number | bigint | boolean | string

/** One metadata value: a scalar of `type`, or an array of `itemType` scalars (nested arrays are refused). */
export type GgufValue =
  | { type: Exclude<GgufTypeId, 9>; value: GgufScalar }
  | { type: 9; itemType: Exclude<GgufTypeId, 9>; value: GgufScalar[] }

/** GGML tensor types: id → [name, elements per block, bytes per block] (gguf-py GGML_QUANT_SIZES). */
export const GGML_TYPES: ReadonlyMap<number, readonly [string, number, number]> = new Map([
  [0, ['F32', 1, 4]], [1, ['F16', 1, 2]], [2, ['Q4_0', 32, 18]], [3, ['Q4_1', 32, 20]], [6, ['Q5_0', 32, 22]],
  [7, ['Q5_1', 32, 24]], [8, ['Q8_0', 32, 34]], [9, ['Q8_1', 32, 40]], [10, ['Q2_K', 256, 84]], [11, ['Q3_K', 256, 110]],
  [12, ['Q4_K', 256, 144]], [13, ['Q5_K', 256, 176]], [14, ['Q6_K', 256, 210]], [15, ['Q8_K', 256, 292]],
  [16, ['IQ2_XXS', 256, 66]], [17, ['IQ2_XS', 256, 74]], [18, ['IQ3_XXS', 256, 98]], [19, ['IQ1_S', 256, 50]],
  [20, ['IQ4_NL', 32, 18]], [21, ['IQ3_S', 256, 110]], [22, ['IQ2_S', 256, 82]], [23, ['IQ4_XS', 256, 136]],
  [24, ['I8', 1, 1]], [25, ['I16', 1, 2]], [26, ['I32', 1, 4]], [27, ['I64', 1, 8]], [28, ['F64', 1, 8]],
  [29, ['IQ1_M', 256, 56]], [30, ['BF16', 1, 2]], [34, ['TQ1_0', 256, 54]], [35, ['TQ2_0', 256, 66]],
  [39, ['MXFP4', 32, 17]], [40, ['NVFP4', 64, 36]], [41, ['Q1_0', 128, 18]], [42, ['Q2_0', 64, 18]],
])
export const GGML_F32 = 0
export const GGML_F16 = 1

/** Bytes of a tensor of GGML type `type` with dimensions `ne` (ne[0] the contiguous one); null if the type is unknown
 * or ne[0] is not a whole number of blocks. */
export function ggmlTensorBytes(type: number, ne: readonly number[]): number | null {
  const t = GGML_TYPES.get(type)
  if (t === undefined) return null
  const [, block, size] = t
  if (ne.length === 0 || ne[0]! % block !== 0) return null
  let n = (ne[0]! / block) * size
  for (let i = 1; i < ne.length; i++) n *= ne[i]!
  return n
}

/** The name of a GGML type id ("F32", "Q4_K", …), or null. */
export function ggmlTypeName(type: number): string | null {
  return GGML_TYPES.get(type)?.[0] ?? null
}
