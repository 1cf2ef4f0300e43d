/**
 * The hello message (specs/network-v1.md §3), in deterministic CBOR:
 *
 *   hello = [version: 1, certificate: bstr, federation: [* bstr]]
 *
 * `certificate` is the sender's SiteCertificate record (full COSE envelope); `federation` holds the federation
 * records the receiver may lack: the charter chain it needs to place the certificate, then the revocations and the
 * other sites' certificates the sender knows (in any order). Decoding is strict and bounded: lengths are checked against
 * the remaining bytes before anything is allocated, and only the shortest head forms are accepted.
 */
import { encodeCanonical } from '../../protocol/index.ts'
import { HELLO_MAX_BYTES, HELLO_MAX_FEDERATION_RECORDS, HELLO_VERSION } from './constants.ts'

export interface Hello {
  certificate: Uint8Array
  federation: Uint8Array[]
}

export class HelloDecodeError extends Error {
  readonly code = 'bad_hello'
}

/** Deterministic CBOR through the record layer's encoder (one encoder in the project). */
export function encodeHello(hello: Hello): Uint8Array {
  return encodeCanonical([HELLO_VERSION, hello.certificate, hello.federation])
}

/**
 * The decoder stays local: it checks the federation count against HELLO_MAX_FEDERATION_RECORDS before reading any
 * record and reports hello-specific errors, which the generic decoder's item limits cannot express.
 */
class Reader {
  pos = 0
  constructor(readonly b: Uint8Array) {}
  /** Reads a head of the given major type; rejects non-shortest forms and 64-bit lengths. */
  head(major: number): number {
    const first = this.b[this.pos++]
    if (first === undefined || first >> 5 !== major) throw new HelloDecodeError(`expected CBOR major type ${major}`)
    const info = first & 0x1f
    if (info < 24) return info
    const size = info === 24 ? 1 : info === 25 ? 2 : info === 26 ? 4 : 0
    if (size === 0 || this.pos + size > this.b.length) throw new HelloDecodeError('bad CBOR head')
    let n = 0
    for (let i = 0; i < size; i++) n = n * 256 + this.b[this.pos++]
    const min = size === 1 ? 24 : size === 2 ? 0x100 : 0x10000
    if (n < min) throw new HelloDecodeError('non-shortest CBOR head')
    return n
  }
  bytes(): Uint8Array {
    const n = this.head(2)
    if (n > this.b.length - this.pos) throw new HelloDecodeError('byte string runs past the end')
    const out = this.b.subarray(this.pos, this.pos + n)
    this.pos += n
    return out
  }
}

/** Parses a hello; throws HelloDecodeError on anything but exactly one well-formed, in-limit hello. */
export function decodeHello(bytes: Uint8Array): Hello {
  if (bytes.length > HELLO_MAX_BYTES) throw new HelloDecodeError(`hello of ${bytes.length} bytes exceeds ${HELLO_MAX_BYTES}`)
  const r = new Reader(bytes)
  if (r.head(4) !== 3) throw new HelloDecodeError('hello must be a 3-element array')
  const version = r.head(0)
  if (version !== HELLO_VERSION) throw new HelloDecodeError(`unsupported hello version ${version}`)
  const certificate = r.bytes()
  const count = r.head(4)
  if (count > HELLO_MAX_FEDERATION_RECORDS) throw new HelloDecodeError(`${count} federation records exceed ${HELLO_MAX_FEDERATION_RECORDS}`)
  const federation: Uint8Array[] = []
  for (let i = 0; i < count; i++) federation.push(r.bytes())
  if (r.pos !== bytes.length) throw new HelloDecodeError('trailing bytes after hello')
  return { certificate, federation }
}
