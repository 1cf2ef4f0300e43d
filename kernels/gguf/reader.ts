/**
 * Reads a GGUF header defensively (specs/gguf-commitment.md §3): magic, version, metadata, tensor infos, and the
 * layout of the data section. Pure: the caller hands in a ByteSource (a file read with readSync, or bytes); only
 * the header is read, in bounded chunks, so a 140 GB file costs its header's size. Every size is checked against
 * a limit before anything is allocated from it.
 */
import { ModelError } from '../errors.ts'
import {
  GGML_TYPES, GGUF_DEFAULT_ALIGNMENT, GGUF_MAGIC, GGUF_SCALAR_BYTES, GgufType, MAX_GGUF_ARRAY, MAX_GGUF_DIMS,
  MAX_GGUF_HEADER_BYTES, MAX_GGUF_KV, MAX_GGUF_STRING_BYTES, MAX_GGUF_TENSORS, ggmlTensorBytes,
  type GgufScalar, type GgufTypeId, type GgufValue,
} from './format.ts'

/** Random access to a file's bytes; read may return fewer bytes only at the end of the file. */
export interface ByteSource {
  readonly size: number
  read(position: number, length: number): Uint8Array
}

export interface GgufTensorInfo {
  name: string
  type: number // GGML type id (format.ts GGML_TYPES)
  ne: number[] // dimensions, ne[0] the contiguous one (as stored in the file)
  offset: number // byte offset in the data section
  bytes: number // byte length implied by type × ne
}

export interface GgufHeader {
  version: number
  metadata: Map<string, GgufValue>
  tensors: GgufTensorInfo[] // in file order
  alignment: number
  dataStart: number // file offset of the data section
}

const READ_CHUNK = 1 << 20

function bad(message: string): never {
  throw new ModelError('bad_header', `GGUF: ${message}`)
}

/** A forward-only cursor over a ByteSource, refilled in READ_CHUNK pieces, never past MAX_GGUF_HEADER_BYTES. */
class Cursor {
  private buf: Uint8Array = new Uint8Array(0)
  private bufStart = 0
  pos = 0
  private readonly decoder = new TextDecoder('utf-8', { fatal: true })

  constructor(private readonly src: ByteSource) {}

  private take(n: number): Uint8Array {
    if (this.pos + n > MAX_GGUF_HEADER_BYTES) bad(`header exceeds the limit of ${MAX_GGUF_HEADER_BYTES} bytes`)
    if (this.pos + n > this.src.size) throw new ModelError('truncated', `GGUF: file ends inside the header (${this.src.size} bytes)`)
    const end = this.bufStart + this.buf.length
    if (this.pos < this.bufStart || this.pos + n > end) {
      this.buf = this.src.read(this.pos, Math.min(Math.max(n, READ_CHUNK), this.src.size - this.pos))
      this.bufStart = this.pos
      if (this.buf.length < n) throw new ModelError('truncated', 'GGUF: short read inside the header')
    }
    const at = this.pos - this.bufStart
    this.pos += n
    return this.buf.subarray(at, at + n)
  }

  private view(n: number): DataView {
    const b = this.take(n)
    return new DataView(b.buffer, b.byteOffset, n)
  }

  u32(): number {
    return this.view(4).getUint32(0, true)
  }

  /** A u64 that must fit a safe integer and be at most `max`. */
  count(what: string, max: number): number {
    const v = this.view(8).getBigUint64(0, true)
    if (v > BigInt(max)) bad(`${what} ${v} exceeds the limit of ${max}`)
    return Number(v)
  }

  string(what: string): string {
    const n = this.count(`${what} length`, MAX_GGUF_STRING_BYTES)
    try {
      return this.decoder.decode(this.take(n))
    } catch (e) {
      if (e instanceof ModelError) throw e
      return bad(`${what} is not valid UTF-8`)
    }
  }

  scalar(type: number, what: string): GgufScalar {
    if (type === GgufType.STRING) return this.string(what)
    const n = GGUF_SCALAR_BYTES[type]
    if (n === undefined) return bad(`${what} has unknown value type ${type}`)
    const v = this.view(n)
    switch (type) {
      case GgufType.UINT8: return v.getUint8(0)
      case GgufType.INT8: return v.getInt8(0)
      case GgufType.UINT16: return v.getUint16(0, true)
      case GgufType.INT16: return v.getInt16(0, true)
      case GgufType.UINT32: return v.getUint32(0, true)
      case GgufType.INT32: return v.getInt32(0, true)
      case GgufType.FLOAT32: return v.getFloat32(0, true)
      case GgufType.BOOL: {
        const b = v.getUint8(0)
        if (b > 1) bad(`${what} is a bool of value ${b}`)
        return b === 1
      }
      case GgufType.UINT64: return v.getBigUint64(0, true)
      case GgufType.INT64: return v.getBigInt64(0, true)
      default: return v.getFloat64(0, true)
    }
  }
}

/** Parses the header of a GGUF file and checks the tensor layout against the file size. */
export function readGgufHeader(src: ByteSource): GgufHeader {
  const c = new Cursor(src)
  if (src.size < 24) throw new ModelError('truncated', `GGUF: file too short (${src.size} bytes)`)
  if (c.u32() !== GGUF_MAGIC) bad('not a GGUF file (magic is not "GGUF")')
  const version = c.u32()
  if (version !== 2 && version !== 3) bad(`unsupported version ${version} (2 and 3 are read)`)
  const nTensors = c.count('tensor count', MAX_GGUF_TENSORS)
  const nKv = c.count('metadata count', MAX_GGUF_KV)

  const metadata = new Map<string, GgufValue>()
  for (let i = 0; i < nKv; i++) {
    const key = c.string('metadata key')
    if (metadata.has(key)) bad(`duplicate metadata key '${key}'`)
    const type = c.u32()
    if (type === GgufType.ARRAY) {
      const itemType = c.u32()
      if (itemType === GgufType.ARRAY || (itemType !== GgufType.STRING && GGUF_SCALAR_BYTES[itemType] === undefined)) bad(`'${key}' is an array of unsupported type ${itemType}`)
      const n = c.count(`'${key}' length`, MAX_GGUF_ARRAY)
      const value: GgufScalar[] = []
      for (let j = 0; j < n; j++) value.push(c.scalar(itemType, `'${key}'[${j}]`))
      metadata.set(key, { type: GgufType.ARRAY, itemType: itemType as Exclude<GgufTypeId, 9>, value })
    } else {
      metadata.set(key, { type: type as Exclude<GgufTypeId, 9>, value: c.scalar(type, `'${key}'`) })
    }
  }

  const alignValue = metadata.get('general.alignment')
  let alignment = GGUF_DEFAULT_ALIGNMENT
  if (alignValue !== undefined) {
    const a = alignValue.value
    if (alignValue.type !== GgufType.UINT32 || typeof a !== 'number' || a === 0 || (a & (a - 1)) !== 0) bad('general.alignment must be a u32 power of two')
    alignment = a
  }

  const tensors: GgufTensorInfo[] = []
  const names = new Set<string>()
  for (let i = 0; i < nTensors; i++) {
    const name = c.string('tensor name')
    if (names.has(name)) throw new ModelError('duplicate_tensor', 'GGUF: tensor name appears twice', name)
    names.add(name)
    const dims = c.u32()
    if (dims < 1 || dims > MAX_GGUF_DIMS) throw new ModelError('bad_header', `GGUF: ${dims} dimensions (1 to ${MAX_GGUF_DIMS})`, name)
    const ne: number[] = []
    for (let d = 0; d < dims; d++) ne.push(c.count(`'${name}' dimension`, Number.MAX_SAFE_INTEGER))
    const type = c.u32()
    if (!GGML_TYPES.has(type)) throw new ModelError('unknown_dtype', `GGUF: unknown GGML type ${type}`, name)
    const offset = c.count(`'${name}' offset`, Number.MAX_SAFE_INTEGER)
    if (ne.reduce((a, b) => a * b, 1) > Number.MAX_SAFE_INTEGER) throw new ModelError('bad_header', 'GGUF: element count is not a safe integer', name)
    const bytes = ggmlTensorBytes(type, ne)
    if (bytes === null) throw new ModelError('bad_header', `GGUF: ne[0] = ${ne[0]} is not a whole number of ${GGML_TYPES.get(type)![0]} blocks`, name)
    if (offset % alignment !== 0) throw new ModelError('bad_offsets', `GGUF: offset ${offset} is not a multiple of the alignment ${alignment}`, name)
    tensors.push({ name, type, ne, offset, bytes })
  }
  const dataStart = Math.ceil(c.pos / alignment) * alignment
  const dataSize = src.size - dataStart
  const byOffset = [...tensors].sort((a, b) => a.offset - b.offset)
  let end = 0
  for (const t of byOffset) {
    if (t.offset < end) throw new ModelError('bad_offsets', `GGUF: tensor data overlaps the previous tensor (offset ${t.offset} < ${end})`, t.name)
    end = t.offset + t.bytes
    if (end > dataSize) throw new ModelError('truncated', `GGUF: tensor data ends at ${dataStart + end}, past the end of the file (${src.size} bytes)`, t.name)
  }
  return { version, metadata, tensors, alignment, dataStart }
}

/** A metadata value as a plain scalar (or array), or undefined. */
export function ggufMeta(h: GgufHeader, key: string): GgufScalar | GgufScalar[] | undefined {
  return h.metadata.get(key)?.value
}
