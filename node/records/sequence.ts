/**
 * RFC 8742 CBOR sequences: the file format of `aip export` / `aip import` — records' envelope bytes (each one CBOR
 * data item, a tagged COSE_Sign1) concatenated with nothing between them.
 *
 * Splitting reads only CBOR heads (RFC 8949 §3) to find where each item ends; it allocates nothing per element, bounds
 * nesting, and checks every declared length against the bytes that remain, so a hostile file cannot make it hang or
 * allocate. What the items contain is the record layer's business (validateRecord).
 */

/** Deepest nesting the splitter follows; records nest far less (specs/aip-v1.md bounds nesting for decoding). */
export const MAX_SEQUENCE_DEPTH = 32

export type SequenceItem =
  | { offset: number; bytes: Uint8Array }
  /**
   * The bytes from `offset` on are not a well-formed CBOR item: nothing after it can be delimited. `code` is the
   * record layer's (aip-v1 §6.3): `non_canonical` for an indefinite length (as `cbor.json` says), else `undecodable`.
   */
  | { offset: number; error: string; code: 'non_canonical' | 'undecodable' }

/** Splits a CBOR sequence into items. A malformed item ends the split with an error entry. */
export function splitSequence(buf: Uint8Array): SequenceItem[] {
  const items: SequenceItem[] = []
  let pos = 0
  while (pos < buf.length) {
    const end = itemEnd(buf, pos, 0)
    if (typeof end === 'string') {
      items.push({ offset: pos, error: end, code: end.startsWith(INDEFINITE) ? 'non_canonical' : 'undecodable' })
      break
    }
    items.push({ offset: pos, bytes: buf.subarray(pos, end) })
    pos = end
  }
  return items
}

const INDEFINITE = 'indefinite length'

/** Concatenates items into one sequence. */
export function joinSequence(items: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(items.reduce((n, i) => n + i.length, 0))
  let pos = 0
  for (const i of items) {
    out.set(i, pos)
    pos += i.length
  }
  return out
}

/** The offset just past the item starting at `pos`, or an error message. */
function itemEnd(buf: Uint8Array, pos: number, depth: number): number | string {
  if (depth > MAX_SEQUENCE_DEPTH) return `nesting deeper than ${MAX_SEQUENCE_DEPTH}`
  if (pos >= buf.length) return 'truncated item'
  const major = buf[pos] >> 5
  const info = buf[pos] & 0x1f
  let arg: number
  let p = pos + 1
  if (info < 24) arg = info
  else if (info <= 27) {
    const n = 1 << (info - 24) // 1, 2, 4 or 8 bytes
    if (p + n > buf.length) return 'truncated head'
    arg = 0
    for (let i = 0; i < n; i++) arg = arg * 256 + buf[p + i] // > 2^53 only loses precision; it still exceeds any length
    p += n
  } else if (info === 31) return major >= 2 && major <= 5 ? `${INDEFINITE} (not allowed in AIP records)` : `additional information 31 on major type ${major} (malformed)`
  else return `reserved additional information ${info}`
  const left = buf.length - p
  switch (major) {
    case 0: case 1: return p
    case 2: case 3: return arg > left ? 'truncated string' : p + arg
    case 4: case 5: {
      const count = major === 5 ? arg * 2 : arg
      if (count > left) return 'truncated container'
      for (let i = 0; i < count; i++) {
        const e = itemEnd(buf, p, depth + 1)
        if (typeof e === 'string') return e
        p = e
      }
      return p
    }
    case 6: return itemEnd(buf, p, depth + 1)
    default: return p // major 7: simple values and floats; the head already covered their bytes
  }
}
