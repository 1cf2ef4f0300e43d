/** GGUF writer → reader round trip, and a hostile header refused at each rule of specs/gguf-commitment.md §3. */
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { ModelError } from '../../../kernels/errors.ts'
import { GgufType, MAX_GGUF_TENSORS, type GgufValue } from '../../../kernels/gguf/format.ts'
import { readGgufHeader, type ByteSource } from '../../../kernels/gguf/reader.ts'
import { ggufLayout, paddingAfter, type GgufTensorSpec } from '../../../kernels/gguf/writer.ts'
import { f32ToF16, gpt2ByteChars, permuteRope } from '../../../kernels/gguf/mixtral.ts'
import { f16ToNumber } from '../../../kernels/safetensors.ts'

function source(bytes: Uint8Array): ByteSource {
  return { size: bytes.length, read: (p, n) => bytes.subarray(p, Math.min(bytes.length, p + n)) }
}

/** A whole file from a layout plus each tensor's bytes. */
function file(metadata: Map<string, GgufValue>, tensors: (GgufTensorSpec & { data: Uint8Array })[]): Uint8Array {
  const l = ggufLayout(metadata, tensors)
  const parts: Uint8Array[] = [l.header]
  tensors.forEach((t, i) => {
    parts.push(t.data)
    if (i + 1 < tensors.length) parts.push(new Uint8Array(paddingAfter(t.data.length, l.alignment)))
  })
  return new Uint8Array(Buffer.concat(parts))
}

const META = new Map<string, GgufValue>([
  ['general.architecture', { type: GgufType.STRING, value: 'llama' }],
  ['x.u8', { type: GgufType.UINT8, value: 200 }],
  ['x.i16', { type: GgufType.INT16, value: -3 }],
  ['x.u64', { type: GgufType.UINT64, value: 1n << 40n }],
  ['x.i64', { type: GgufType.INT64, value: -5n }],
  ['x.f32', { type: GgufType.FLOAT32, value: 0.5 }],
  ['x.f64', { type: GgufType.FLOAT64, value: 1e-300 }],
  ['x.bool', { type: GgufType.BOOL, value: true }],
  ['x.strs', { type: GgufType.ARRAY, itemType: GgufType.STRING, value: ['a', 'é', ''] }],
  ['x.ints', { type: GgufType.ARRAY, itemType: GgufType.INT32, value: [1, -2, 3] }],
  ['x.empty', { type: GgufType.ARRAY, itemType: GgufType.STRING, value: [] }],
])

function tensors(): (GgufTensorSpec & { data: Uint8Array })[] {
  const bytes = (n: number, seed: number) => Uint8Array.from({ length: n }, (_, i) => (i * 31 + seed) & 255)
  return [
    { name: 'b.weight', type: 0, ne: [3, 5], data: bytes(60, 1) }, // F32, 60 bytes: padded to 64
    { name: 'a.q8', type: 8, ne: [64, 2], data: bytes(136, 2) }, // Q8_0: 2 blocks × 34 bytes per row
    { name: 'c.f16', type: 1, ne: [7], data: bytes(14, 3) },
  ]
}

test('GGUF round trip: metadata values, tensor infos and data offsets', () => {
  const ts = tensors()
  const bytes = file(META, ts)
  const h = readGgufHeader(source(bytes))
  assert.equal(h.version, 3)
  assert.equal(h.alignment, 32)
  assert.equal(h.dataStart % 32, 0)
  assert.deepEqual([...h.metadata.keys()], [...META.keys()])
  for (const [k, v] of META) assert.deepEqual(h.metadata.get(k)!.value, v.type === GgufType.FLOAT32 ? Math.fround(v.value as number) : v.value, k)
  assert.deepEqual(h.tensors.map((t) => [t.name, t.type, t.ne, t.bytes]), ts.map((t) => [t.name, t.type, t.ne, t.data.length]))
  for (const [i, t] of h.tensors.entries()) {
    assert.equal(t.offset % 32, 0)
    assert.deepEqual(Buffer.from(bytes.subarray(h.dataStart + t.offset, h.dataStart + t.offset + t.bytes)), Buffer.from(ts[i]!.data))
  }
})

/** Rewrites bytes of a valid file to break one rule. */
function broken(edit: (b: Uint8Array, view: DataView) => Uint8Array | void): Uint8Array {
  const b = file(META, tensors()).slice()
  return edit(b, new DataView(b.buffer)) ?? b
}

function refuses(bytes: Uint8Array, code: string, pattern: RegExp): void {
  assert.throws(() => readGgufHeader(source(bytes)), (e: unknown) => e instanceof ModelError && e.code === code && pattern.test(e.message), `${code} ${pattern}`)
}

test('hostile GGUF headers are refused with a code, before any large allocation', () => {
  refuses(new Uint8Array(10), 'truncated', /too short/)
  refuses(broken((b) => { b[0] = 0x58 }), 'bad_header', /magic/)
  refuses(broken((_, v) => v.setUint32(4, 9, true)), 'bad_header', /version 9/)
  refuses(broken((_, v) => v.setBigUint64(8, BigInt(MAX_GGUF_TENSORS) + 1n, true)), 'bad_header', /tensor count/)
  refuses(broken((_, v) => v.setBigUint64(16, 1n << 62n, true)), 'bad_header', /metadata count/)
  // The first key's length (offset 24) claims 2^40 bytes.
  refuses(broken((_, v) => v.setBigUint64(24, 1n << 40n, true)), 'bad_header', /length .* exceeds/)
  // Cut inside the header.
  refuses(broken((b) => b.subarray(0, 100)), 'truncated', /ends inside the header/)
  // Cut inside the last tensor's data.
  refuses(broken((b) => b.subarray(0, b.length - 1)), 'truncated', /past the end of the file/)
  // An unknown value type for the first key ("general.architecture" is 20 bytes: type at 24 + 8 + 20).
  refuses(broken((_, v) => v.setUint32(52, 99, true)), 'bad_header', /unknown value type 99/)
})

test('tensor infos: unknown type, partial block, misaligned or overlapping data', () => {
  const meta = new Map<string, GgufValue>()
  const twoF32 = (o2: number) => {
    const l = ggufLayout(meta, [{ name: 'a', type: 0, ne: [8] }, { name: 'b', type: 0, ne: [8] }])
    const b = new Uint8Array(Buffer.concat([l.header, new Uint8Array(128)]))
    // Tensor infos start at 24; 'a' = 8 + 1 + 4 + 8 + 4 + 8 = 33 bytes; b's offset is its last 8 bytes.
    new DataView(b.buffer).setBigUint64(24 + 33 + 33 - 8, BigInt(o2), true)
    return b
  }
  assert.doesNotThrow(() => readGgufHeader(source(twoF32(32))))
  refuses(twoF32(16), 'bad_offsets', /multiple of the alignment/)
  refuses(twoF32(0), 'bad_offsets', /overlaps/)
  const one = (type: number, ne: number[]) => {
    const l = ggufLayout(meta, [{ name: 'a', type: 0, ne }])
    const b = new Uint8Array(Buffer.concat([l.header, new Uint8Array(4096)]))
    new DataView(b.buffer).setUint32(24 + 8 + 1 + 4 + 8 * ne.length, type, true)
    return b
  }
  refuses(one(4, [32]), 'unknown_dtype', /unknown GGML type 4/)
  refuses(one(12, [32]), 'bad_header', /whole number of Q4_K blocks/)
})

test('f32 → f16 rounds to nearest even and round-trips every f16 value', () => {
  for (let h = 0; h < 0x10000; h++) {
    const x = f16ToNumber(h)
    if (Number.isNaN(x)) continue
    assert.equal(f32ToF16(x), h === 0x8000 ? 0x8000 : h)
  }
  assert.equal(f32ToF16(1 + 2 ** -11), 0x3c00) // halfway between 1 and the next f16: even (1) wins
  assert.equal(f32ToF16(1 + 3 * 2 ** -11), 0x3c02)
  assert.equal(f32ToF16(1e6), 0x7c00)
})

test('byte vocabulary spellings are 256 distinct characters; the RoPE permutation is a row permutation', () => {
  assert.equal(new Set(gpt2ByteChars()).size, 256)
  assert.equal(gpt2ByteChars()[0x41], 'A')
  assert.equal(gpt2ByteChars()[0x20], '\u0120')
  const w = Float32Array.from({ length: 2 * 8 * 3 }, (_, i) => i)
  const p = permuteRope(w, 2, 8, 3)
  // head 1, row 2i + j ← row j·4 + i: row 2·1 + 1 = 3 of head 1 comes from row 1·4 + 1 = 5 of head 1.
  assert.deepEqual(Array.from(p.subarray((8 + 3) * 3, (8 + 4) * 3)), Array.from(w.subarray((8 + 5) * 3, (8 + 6) * 3)))
  assert.deepEqual([...p].sort((a, b) => a - b), [...w])
})
