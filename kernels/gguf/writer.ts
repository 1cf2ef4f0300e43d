/**
 * Writes GGUF version 3 (llama.cpp docs/gguf.md): `ggufLayout` encodes the header and places each tensor at an
 * aligned offset; the caller streams the tensor bytes after it (node/model/gguf-export.ts), so a model is never
 * held twice in memory. Pure: no I/O. Checked by reading back with reader.ts and by llama.cpp loading the file.
 */
import { GGUF_DEFAULT_ALIGNMENT, GGUF_MAGIC, GGUF_SCALAR_BYTES, GGUF_VERSION, GgufType, ggmlTensorBytes, type GgufScalar, type GgufValue } from './format.ts'

export interface GgufTensorSpec {
  name: string
  type: number // GGML type id
  ne: number[] // dimensions, ne[0] contiguous: the reverse of a row-major shape
}

export interface GgufLayout {
  header: Uint8Array // magic … tensor infos, zero-padded to the alignment: the data section starts right after
  offsets: number[] // per tensor, relative to the data section
  bytes: number[] // per tensor
  alignment: number
}

class Out {
  private chunks: Uint8Array[] = []
  length = 0
  private readonly enc = new TextEncoder()

  push(b: Uint8Array): void {
    this.chunks.push(b)
    this.length += b.length
  }

  num(type: number, v: GgufScalar): void {
    if (type === GgufType.STRING) {
      const s = this.enc.encode(String(v))
      this.u64(s.length)
      this.push(s)
      return
    }
    const n = GGUF_SCALAR_BYTES[type]!
    const b = new Uint8Array(n)
    const d = new DataView(b.buffer)
    switch (type) {
      case GgufType.UINT8: d.setUint8(0, Number(v)); break
      case GgufType.INT8: d.setInt8(0, Number(v)); break
      case GgufType.UINT16: d.setUint16(0, Number(v), true); break
      case GgufType.INT16: d.setInt16(0, Number(v), true); break
      case GgufType.UINT32: d.setUint32(0, Number(v), true); break
      case GgufType.INT32: d.setInt32(0, Number(v), true); break
      case GgufType.FLOAT32: d.setFloat32(0, Number(v), true); break
      case GgufType.BOOL: d.setUint8(0, v === true ? 1 : 0); break
      case GgufType.UINT64: d.setBigUint64(0, BigInt(v), true); break
      case GgufType.INT64: d.setBigInt64(0, BigInt(v), true); break
      default: d.setFloat64(0, Number(v), true)
    }
    this.push(b)
  }

  u32(v: number): void {
    this.num(GgufType.UINT32, v)
  }

  u64(v: number): void {
    this.num(GgufType.UINT64, v)
  }

  bytes(): Uint8Array {
    const out = new Uint8Array(this.length)
    let at = 0
    for (const c of this.chunks) {
      out.set(c, at)
      at += c.length
    }
    return out
  }
}

/** Encodes the header for `metadata` (in insertion order) and `tensors` (in order, data laid out in that order). */
export function ggufLayout(metadata: ReadonlyMap<string, GgufValue>, tensors: readonly GgufTensorSpec[], alignment = GGUF_DEFAULT_ALIGNMENT): GgufLayout {
  const o = new Out()
  o.u32(GGUF_MAGIC)
  o.u32(GGUF_VERSION)
  o.u64(tensors.length)
  o.u64(metadata.size)
  for (const [key, v] of metadata) {
    o.num(GgufType.STRING, key)
    o.u32(v.type)
    if (v.type === GgufType.ARRAY) {
      o.u32(v.itemType)
      o.u64(v.value.length)
      for (const x of v.value) o.num(v.itemType, x)
    } else {
      o.num(v.type, v.value)
    }
  }
  const offsets: number[] = []
  const bytes: number[] = []
  let at = 0
  for (const t of tensors) {
    const n = ggmlTensorBytes(t.type, t.ne)
    if (n === null) throw new RangeError(`tensor ${t.name}: GGML type ${t.type} cannot hold dimensions ${t.ne.join('×')}`)
    o.num(GgufType.STRING, t.name)
    o.u32(t.ne.length)
    for (const d of t.ne) o.u64(d)
    o.u32(t.type)
    o.u64(at)
    offsets.push(at)
    bytes.push(n)
    at = Math.ceil((at + n) / alignment) * alignment
  }
  const pad = (alignment - (o.length % alignment)) % alignment
  o.push(new Uint8Array(pad))
  return { header: o.bytes(), offsets, bytes, alignment }
}

/** Zero bytes that follow a tensor of `n` bytes so the next one starts aligned. */
export function paddingAfter(n: number, alignment: number): number {
  return (alignment - (n % alignment)) % alignment
}
