/**
 * safetensors, read defensively: the 8-byte header length, the JSON header, and dtype conversion to f32.
 * Pure (no I/O): callers hand in bytes. Format: https://github.com/huggingface/safetensors (§Format);
 * the checks follow specs/lasa.md §Model directory, and every error names the tensor.
 */
import { MAX_SAFETENSORS_HEADER_BYTES, MAX_TENSOR_RANK, MAX_TENSORS_PER_FILE } from './constants.ts'
import { ModelError } from './errors.ts'

/** Bytes per element of every dtype the safetensors format defines with a whole-byte size. */
export const DTYPE_BYTES: Readonly<Record<string, number>> = {
  BOOL: 1, U8: 1, I8: 1, F8_E5M2: 1, F8_E4M3: 1, F8_E8M0: 1,
  I16: 2, U16: 2, F16: 2, BF16: 2,
  I32: 4, U32: 4, F32: 4,
  I64: 8, U64: 8, F64: 8, C64: 8,
}

/** The dtypes the loader converts to f32. */
export const FLOAT_DTYPES: readonly string[] = ['F32', 'F16', 'BF16']

export interface TensorInfo {
  name: string
  dtype: string
  shape: number[]
  begin: number // byte offset in the data section (after the 8 + headerLength prefix)
  end: number // exclusive
}

export interface Header {
  headerLength: number // bytes of JSON after the 8-byte length
  dataStart: number // 8 + headerLength: file offset of the data section
  tensors: TensorInfo[] // ordered by begin
  metadata: Record<string, string>
}

/** Reads the little-endian u64 header length from a file's first 8 bytes and checks it against the bounds. */
export function headerLength(first8: Uint8Array, fileSize: number): number {
  if (first8.length < 8 || fileSize < 8) throw new ModelError('bad_header', `file too short for a safetensors header (${fileSize} bytes)`)
  const view = new DataView(first8.buffer, first8.byteOffset, 8)
  const n = view.getBigUint64(0, true)
  if (n > BigInt(MAX_SAFETENSORS_HEADER_BYTES)) {
    throw new ModelError('bad_header', `header length ${n} exceeds the limit of ${MAX_SAFETENSORS_HEADER_BYTES} bytes`)
  }
  const len = Number(n)
  if (len < 2) throw new ModelError('bad_header', `header length ${len} is too small`)
  if (8 + len > fileSize) throw new ModelError('truncated', `header length ${len} runs past the end of the file (${fileSize} bytes)`)
  return len
}

function isUint(v: unknown): v is number {
  return typeof v === 'number' && Number.isSafeInteger(v) && v >= 0
}

/**
 * Parses and validates the JSON header. `dataSize` is the file size minus 8 + headerLength. Tensors must tile the
 * data section exactly: sorted by offset, contiguous, each exactly dtype size × elements long.
 * Dtypes outside DTYPE_BYTES are refused (their size cannot be checked).
 */
export function parseHeader(json: Uint8Array, dataSize: number): Header {
  let parsed: unknown
  try {
    parsed = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(json))
  } catch (e) {
    throw new ModelError('bad_header', `header is not valid UTF-8 JSON (${(e as Error).message})`)
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new ModelError('bad_header', 'header is not a JSON object')
  const entries = Object.entries(parsed as Record<string, unknown>)
  if (entries.length > MAX_TENSORS_PER_FILE + 1) throw new ModelError('bad_header', `more than ${MAX_TENSORS_PER_FILE} tensors`)
  const metadata: Record<string, string> = {}
  const tensors: TensorInfo[] = []
  for (const [name, raw] of entries) {
    if (name === '__metadata__') {
      if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) throw new ModelError('bad_header', '__metadata__ is not an object')
      for (const [k, v] of Object.entries(raw as Record<string, unknown>)) {
        if (typeof v !== 'string') throw new ModelError('bad_header', `__metadata__.${k} is not a string`)
        metadata[k] = v
      }
      continue
    }
    if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) throw new ModelError('bad_header', 'entry is not an object', name)
    const { dtype, shape, data_offsets: offsets, ...rest } = raw as Record<string, unknown>
    if (Object.keys(rest).length > 0) throw new ModelError('bad_header', `unexpected keys ${Object.keys(rest).join(', ')}`, name)
    if (typeof dtype !== 'string') throw new ModelError('bad_header', 'dtype is not a string', name)
    if (!Array.isArray(shape) || shape.length > MAX_TENSOR_RANK || !shape.every(isUint)) {
      throw new ModelError('bad_header', `shape must be an array of at most ${MAX_TENSOR_RANK} non-negative integers`, name)
    }
    if (!Array.isArray(offsets) || offsets.length !== 2 || !isUint(offsets[0]) || !isUint(offsets[1]) || offsets[0] > offsets[1]) {
      throw new ModelError('bad_offsets', 'data_offsets must be [begin, end] with 0 ≤ begin ≤ end', name)
    }
    tensors.push({ name, dtype, shape: shape as number[], begin: offsets[0], end: offsets[1] })
  }
  tensors.sort((a, b) => a.begin - b.begin || a.end - b.end)
  for (const t of tensors) {
    if (t.end > dataSize) {
      throw new ModelError('truncated', `data_offsets [${t.begin}, ${t.end}] run past the end of the data section (${dataSize} bytes): truncated file or bad offsets`, t.name)
    }
  }
  let expected = 0
  for (const t of tensors) {
    const size = DTYPE_BYTES[t.dtype]
    if (size === undefined) throw new ModelError('unknown_dtype', `unknown dtype '${t.dtype}'`, t.name)
    const elements = t.shape.reduce((a, b) => a * b, 1)
    if (!Number.isSafeInteger(elements * size) || elements * size !== t.end - t.begin) {
      throw new ModelError('bad_offsets', `data_offsets span ${t.end - t.begin} bytes but ${t.dtype}[${t.shape.join(', ')}] needs ${elements * size}`, t.name)
    }
    if (t.begin !== expected) throw new ModelError('bad_offsets', `data starts at ${t.begin}, expected ${expected} (gap or overlap)`, t.name)
    expected = t.end
  }
  if (expected !== dataSize) throw new ModelError('bad_offsets', `tensors cover ${expected} bytes but the data section has ${dataSize} (trailing bytes)`)
  return { headerLength: json.length, dataStart: 8 + json.length, tensors, metadata }
}

const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1

/** IEEE 754 binary16 → number. */
export function f16ToNumber(h: number): number {
  const s = h & 0x8000 ? -1 : 1
  const e = (h >> 10) & 0x1f
  const m = h & 0x3ff
  if (e === 0) return s * m * 2 ** -24
  if (e === 31) return m === 0 ? s * Infinity : NaN
  return s * (1 + m / 1024) * 2 ** (e - 15)
}

/** Converts raw little-endian tensor bytes of a float dtype into `out` (length = element count). */
export function toF32(bytes: Uint8Array, dtype: string, out: Float32Array, name: string): void {
  const n = out.length
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength)
  if (dtype === 'F32') {
    if (bytes.byteLength !== 4 * n) throw new ModelError('bad_offsets', `expected ${4 * n} bytes`, name)
    if (LITTLE_ENDIAN && bytes.byteOffset % 4 === 0) out.set(new Float32Array(bytes.buffer, bytes.byteOffset, n))
    else for (let i = 0; i < n; i++) out[i] = view.getFloat32(4 * i, true)
  } else if (dtype === 'F16' || dtype === 'BF16') {
    if (bytes.byteLength !== 2 * n) throw new ModelError('bad_offsets', `expected ${2 * n} bytes`, name)
    if (dtype === 'F16') {
      for (let i = 0; i < n; i++) out[i] = f16ToNumber(view.getUint16(2 * i, true))
    } else {
      const bits = new Uint32Array(out.buffer, out.byteOffset, n)
      for (let i = 0; i < n; i++) bits[i] = view.getUint16(2 * i, true) << 16
    }
  } else {
    throw new ModelError('unknown_dtype', `dtype '${dtype}' cannot be loaded (F32, F16 or BF16 required)`, name)
  }
}

/** Serialises a safetensors file: header (keys in the given order, 8-byte aligned with spaces) then the data. */
export function encodeSafetensors(tensors: { name: string; dtype: string; shape: number[]; data: Uint8Array }[], metadata?: Record<string, string>): Uint8Array {
  const header: Record<string, unknown> = {}
  if (metadata) header.__metadata__ = metadata
  let offset = 0
  for (const t of tensors) {
    header[t.name] = { dtype: t.dtype, shape: t.shape, data_offsets: [offset, offset + t.data.byteLength] }
    offset += t.data.byteLength
  }
  const raw = new TextEncoder().encode(JSON.stringify(header))
  const head = new Uint8Array(raw.length + ((8 - ((8 + raw.length) % 8)) % 8)).fill(0x20)
  head.set(raw)
  const out = new Uint8Array(8 + head.length + offset)
  new DataView(out.buffer).setBigUint64(0, BigInt(head.length), true)
  out.set(head, 8)
  let p = 8 + head.length
  for (const t of tensors) {
    out.set(t.data, p)
    p += t.data.byteLength
  }
  return out
}
