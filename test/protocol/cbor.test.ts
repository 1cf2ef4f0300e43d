import { test } from 'node:test'
import assert from 'node:assert/strict'
import { decode as cborxDecode } from 'cbor-x'
import { CID } from 'multiformats/cid'
import { sha256 } from 'multiformats/hashes/sha2'
import { encodeCanonical, decodeCanonical } from '../../protocol/cbor.ts'
import type { CborValue } from '../../protocol/cbor.ts'
import { ProtocolError } from '../../protocol/errors.ts'

const hex = (b: Uint8Array) => Buffer.from(b).toString('hex')
const unhex = (s: string) => new Uint8Array(Buffer.from(s, 'hex'))

function code(fn: () => unknown): string {
  try {
    fn()
  } catch (e) {
    if (e instanceof ProtocolError) return e.code
    throw e
  }
  return 'no error'
}

// RFC 8949 Appendix A examples that fall inside AIP's subset.
const RFC_EXAMPLES: [CborValue, string][] = [
  [0, '00'], [1, '01'], [10, '0a'], [23, '17'], [24, '1818'], [25, '1819'], [100, '1864'], [1000, '1903e8'],
  [1000000, '1a000f4240'], [1000000000000, '1b000000e8d4a51000'], [-1, '20'], [-10, '29'], [-100, '3863'],
  [-1000, '3903e7'], [Number.MAX_SAFE_INTEGER, '1b001fffffffffffff'], [-Number.MAX_SAFE_INTEGER, '3b001ffffffffffffe'],
  [false, 'f4'], [true, 'f5'], [null, 'f6'], [new Uint8Array(0), '40'], [unhex('01020304'), '4401020304'],
  ['', '60'], ['a', '6161'], ['IETF', '6449455446'], ['"\\', '62225c'], ['\u00fc', '62c3bc'], ['\u6c34', '63e6b0b4'],
  ['\ud800\udd51', '64f0908591'], [[], '80'], [[1, 2, 3], '83010203'], [[1, [2, 3], [4, 5]], '8301820203820405'],
  [{}, 'a0'], [{ a: 1, b: [2, 3] }, 'a26161016162820203'], [['a', { b: 'c' }], '826161a161626163'],
]

test('encodes the RFC 8949 Appendix A examples byte for byte and decodes them back', () => {
  for (const [v, h] of RFC_EXAMPLES) {
    assert.equal(hex(encodeCanonical(v)), h, `encode ${JSON.stringify(v)}`)
    assert.deepEqual(encodeCanonical(decodeCanonical(unhex(h))), unhex(h))
  }
})

test('sorts map keys length-first then bytewise, regardless of insertion order', () => {
  const v = { bb: 1, a: 2, aa: 3, b: 4, '\u00e9': 5, z: 6 }
  // a, b, z (1 byte) < aa, bb, é (2 bytes; é = c3 a9 sorts after 'aa' 61 61 and 'bb' 62 62)
  assert.equal(hex(encodeCanonical(v)), 'a6' + '616102' + '616204' + '617a06' + '62616103' + '62626201' + '62c3a905')
})

test('CID links encode as tag 42 over 0x00 || binary CID and round-trip', async () => {
  const cid = CID.createV1(0x55, await sha256.digest(new Uint8Array([1, 2, 3])))
  const bytes = encodeCanonical({ link: cid })
  assert.equal(hex(bytes).slice(0, 18), 'a1646c696e6bd82a58')
  const back = decodeCanonical(bytes) as { link: CID }
  assert.ok(CID.asCID(back.link)?.equals(cid))
})

test('independent decoder (cbor-x) reads what we write', () => {
  const v = { name: 'x', n: -5, big: 2 ** 40, list: [true, null, 'ü'], bytes: unhex('00ff') }
  const d = cborxDecode(encodeCanonical(v)) as Record<string, unknown>
  assert.equal(Number(d.big), 2 ** 40)
  assert.equal(d.n, -5)
  assert.deepEqual(d.list, [true, null, 'ü'])
})

test('refuses to encode what AIP forbids', () => {
  assert.equal(code(() => encodeCanonical(1.5)), 'unsupported')
  assert.equal(code(() => encodeCanonical(2 ** 53)), 'unsupported')
  assert.equal(code(() => encodeCanonical(NaN)), 'unsupported')
  assert.equal(code(() => encodeCanonical({ a: undefined } as unknown as CborValue)), 'unsupported')
  assert.equal(code(() => encodeCanonical(new Map() as unknown as CborValue)), 'unsupported')
  assert.equal(code(() => encodeCanonical('\ud800')), 'unsupported')
  let deep: CborValue = 1
  for (let i = 0; i < 17; i++) deep = [deep]
  assert.equal(code(() => encodeCanonical(deep)), 'limit')
})

test('decoder rejects every non-canonical or forbidden form with a code', () => {
  const cases: [string, string][] = [
    ['1817', 'non_canonical'], // 23 in two bytes
    ['190017', 'non_canonical'],
    ['1a000000ff', 'non_canonical'],
    ['1b00000000ffffffff', 'non_canonical'],
    ['5801ff', 'non_canonical'], // 1-byte bstr with 1-byte length
    ['9f01ff', 'non_canonical'], // indefinite array
    ['5f4101ff', 'non_canonical'],
    ['b90001616101', 'non_canonical'], // cbor-x style map header
    ['a2616201616101', 'non_canonical'], // unsorted keys
    ['a261610161', 'undecodable'], // truncated
    ['a2616101616101', 'undecodable'], // duplicate key
    ['a10101', 'unsupported'], // integer key
    ['f93c00', 'unsupported'], // half float 1.0
    ['fb3ff8000000000000', 'unsupported'], // float64 1.5
    ['f7', 'unsupported'], // undefined
    ['f0', 'unsupported'], // simple(16)
    ['f820', 'unsupported'],
    ['c11a514b67b0', 'unsupported'], // tag 1
    ['1b0020000000000000', 'unsupported'], // 2^53
    ['3b001fffffffffffff', 'unsupported'], // -2^53
    ['d82a4100', 'undecodable'], // tag 42 too short
    ['d82a4401020304', 'undecodable'], // tag 42 without 0x00 prefix
    ['62c328', 'undecodable'], // invalid UTF-8
    ['0000', 'undecodable'], // trailing byte
    ['', 'undecodable'],
    ['1c', 'undecodable'], // reserved
    ['ff', 'undecodable'], // lone break
    ['9a7fffffff', 'undecodable'], // 4G-element array on a 9-byte input: refused before allocating
    ['5a7fffffff', 'undecodable'],
  ]
  for (const [h, want] of cases) assert.equal(code(() => decodeCanonical(unhex(h))), want, h)
})

test('decoder bounds depth, item count and input size', () => {
  assert.equal(code(() => decodeCanonical(new Uint8Array(100_000).fill(0x81))), 'limit')
  assert.equal(code(() => decodeCanonical(unhex('8' + '3010203'), { maxItems: 3 })), 'limit')
  assert.equal(code(() => decodeCanonical(new Uint8Array(10), { maxBytes: 9 })), 'limit')
  let ok: CborValue = 0
  for (let i = 0; i < 16; i++) ok = [ok]
  assert.deepEqual(decodeCanonical(encodeCanonical(ok)), ok)
})

test('random values round-trip and re-encode identically (seeded)', () => {
  let s = 42
  const rnd = () => ((s = (s * 1103515245 + 12345) % 2 ** 31), s / 2 ** 31)
  const gen = (d: number): CborValue => {
    const t = Math.floor(rnd() * (d > 3 ? 5 : 8))
    if (t === 0) return Math.floor((rnd() - 0.5) * 2 ** 53)
    if (t === 1) return String.fromCharCode(...Array.from({ length: Math.floor(rnd() * 8) }, () => 32 + Math.floor(rnd() * 900)))
    if (t === 2) return new Uint8Array(Array.from({ length: Math.floor(rnd() * 40) }, () => Math.floor(rnd() * 256)))
    if (t === 3) return [true, false, null][Math.floor(rnd() * 3)]!
    if (t === 4) return Math.floor(rnd() * 70000)
    if (t === 5) return Array.from({ length: Math.floor(rnd() * 5) }, () => gen(d + 1))
    const m: Record<string, CborValue> = {}
    for (let i = 0; i < rnd() * 6; i++) m[String.fromCharCode(97 + Math.floor(rnd() * 26)).repeat(1 + Math.floor(rnd() * 3))] = gen(d + 1)
    return m
  }
  for (let i = 0; i < 500; i++) {
    const v = gen(0)
    const b = encodeCanonical(v)
    assert.deepEqual(encodeCanonical(decodeCanonical(b)), b)
  }
})

test('record IDs: our base32 equals the multiformats CID string', async () => {
  const { recordId, recordCid, parseRecordId } = await import('../../protocol/ids.ts')
  for (let n = 0; n < 50; n++) {
    const bytes = new Uint8Array(n * 7).map((_, i) => (i * 31 + n) & 0xff)
    assert.equal(recordId(bytes), recordCid(bytes).toString())
    assert.equal(parseRecordId(recordId(bytes)).toString(), recordId(bytes))
  }
})

test("a '__proto__' key is an ordinary own key, never the prototype", () => {
  const bytes = unhex('a1695f5f70726f746f5f5fa0') // {"__proto__": {}}
  const v = decodeCanonical(bytes) as Record<string, CborValue>
  assert.equal(Object.getPrototypeOf(v), Object.prototype)
  assert.deepEqual(Object.keys(v), ['__proto__'])
  assert.deepEqual(encodeCanonical(v), bytes)
})

test('the record-CID fast path builds the same CID as multiformats', async () => {
  const cid = CID.createV1(0x55, await sha256.digest(new Uint8Array([9])))
  const back = decodeCanonical(encodeCanonical(cid)) as CID
  assert.ok(cid.equals(back))
  assert.equal(back.toString(), cid.toString())
  assert.deepEqual(back.multihash.digest, cid.multihash.digest)
  assert.deepEqual(back.multihash.bytes, cid.multihash.bytes)
  // Any other CID takes the general path.
  const dag = CID.createV1(0x71, await sha256.digest(new Uint8Array([9])))
  assert.ok(dag.equals(decodeCanonical(encodeCanonical(dag))))
})

test('the map-key cache never returns a different key (collisions, non-ASCII, long keys)', () => {
  const keys = ['a', 'b', 'ab', 'ba', 'created', 'creatd', 'ü', 'x'.repeat(33), 'x'.repeat(32)]
  for (let round = 0; round < 3; round++) {
    for (const k of keys) assert.deepEqual(Object.keys(decodeCanonical(encodeCanonical({ [k]: 1 })) as object), [k])
  }
  // Many distinct keys: the cache is bounded and stays correct.
  for (let i = 0; i < 10_000; i++) {
    const k = `k${i}`
    assert.deepEqual(Object.keys(decodeCanonical(encodeCanonical({ [k]: i })) as object), [k])
  }
})
