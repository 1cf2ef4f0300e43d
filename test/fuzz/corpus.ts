/**
 * Seed corpora for the fuzz targets, all from committed files: the spec's vectors (specs/vectors/*.json) and the
 * RFC 8949 Appendix A examples (test/fuzz/rfc8949-appendix-a.json). Nothing is generated at random here.
 */
import { readFileSync } from 'node:fs'
import fc from 'fast-check'

const fromHex = (h: string): Uint8Array => Uint8Array.from(Buffer.from(h, 'hex'))
const json = (rel: string): unknown => JSON.parse(readFileSync(new URL(rel, import.meta.url), 'utf8'))

interface CborVectors { vectors: { encoded: string; expected: string }[] }
interface RecordVectors {
  record_pool: Record<string, string>
  vectors: { encoded: string; expected: string; id?: string; context?: { now: number; genesis: string; records: string[] } }[]
}
interface SyncVector { kind: string; hex: string; expected: string }
interface RfcExamples { examples: { diagnostic: string; encoded: string }[] }

/** RFC 8949 Appendix A: every example's encoding. */
export const RFC8949_EXAMPLES: Uint8Array[] = (json('./rfc8949-appendix-a.json') as RfcExamples).examples.map((e) => fromHex(e.encoded))

/** specs/vectors/cbor.json: every input, valid or not. */
export const CBOR_VECTORS: Uint8Array[] = (json('../../specs/vectors/cbor.json') as CborVectors).vectors.map((v) => fromHex(v.encoded))

const records = json('../../specs/vectors/records.json') as RecordVectors

/** Every envelope in specs/vectors/records.json (the pool and each vector's input). */
export const RECORD_ENVELOPES: Uint8Array[] = [...new Set([...Object.values(records.record_pool), ...records.vectors.map((v) => v.encoded)])].map(fromHex)

/** The record pool (valid, signed federation and data records), by ID. */
export const RECORD_POOL: Map<string, Uint8Array> = new Map(Object.entries(records.record_pool).map(([id, h]) => [id, fromHex(h)]))

/** The 'dev' context of the record vectors: its clock, pinned genesis and the pool records it holds. */
export const DEV_CONTEXT = records.vectors.map((v) => v.context).find((c) => c !== undefined && (c as { name?: string }).name === 'dev')!

/** specs/vectors/sync/messages.json, by kind. */
const sync = json('../../specs/vectors/sync/messages.json') as SyncVector[]
export const SYNC_QUERIES: Uint8Array[] = sync.filter((v) => v.kind === 'query').map((v) => fromHex(v.hex))
export const SYNC_REPLIES: Uint8Array[] = sync.filter((v) => v.kind === 'reply').map((v) => fromHex(v.hex))

// ---------------------------------------------------------------------------------------------------------------
// Mutation: a seed, then up to five edits chosen by fast-check (so a run is reproducible from its seed).

/** Bytes that change a CBOR head's meaning: length forms, indefinite markers, tags, simple values. */
const INTERESTING = [0x00, 0x17, 0x18, 0x19, 0x1a, 0x1b, 0x1c, 0x1f, 0x20, 0x3b, 0x40, 0x58, 0x5f, 0x60, 0x78, 0x7f, 0x80, 0x98, 0x9f, 0xa0, 0xb8, 0xbf, 0xc0, 0xd2, 0xd8, 0x2a, 0xf4, 0xf6, 0xf7, 0xf8, 0xf9, 0xfa, 0xfb, 0xff]

type Edit =
  | { k: 'flip'; at: number; bit: number }
  | { k: 'set'; at: number; v: number }
  | { k: 'insert'; at: number; bytes: Uint8Array }
  | { k: 'delete'; at: number; n: number }
  | { k: 'splice'; at: number; from: number; start: number; n: number }
  | { k: 'truncate'; at: number }
  | { k: 'repeat'; at: number; n: number; times: number }

const edit: fc.Arbitrary<Edit> = fc.oneof(
  fc.record({ k: fc.constant('flip' as const), at: fc.nat(), bit: fc.nat(7) }),
  fc.record({ k: fc.constant('set' as const), at: fc.nat(), v: fc.oneof(fc.constantFrom(...INTERESTING), fc.nat(255)) }),
  fc.record({ k: fc.constant('insert' as const), at: fc.nat(), bytes: fc.uint8Array({ minLength: 1, maxLength: 9 }) }),
  fc.record({ k: fc.constant('delete' as const), at: fc.nat(), n: fc.integer({ min: 1, max: 40 }) }),
  fc.record({ k: fc.constant('splice' as const), at: fc.nat(), from: fc.nat(), start: fc.nat(), n: fc.integer({ min: 1, max: 64 }) }),
  fc.record({ k: fc.constant('truncate' as const), at: fc.nat() }),
  fc.record({ k: fc.constant('repeat' as const), at: fc.nat(), n: fc.integer({ min: 1, max: 16 }), times: fc.integer({ min: 2, max: 64 }) }),
)

function apply(seed: Uint8Array, edits: readonly Edit[], corpus: readonly Uint8Array[]): Uint8Array {
  let b = seed
  for (const e of edits) {
    const at = b.length === 0 ? 0 : e.at % (b.length + (e.k === 'insert' ? 1 : 0))
    switch (e.k) {
      case 'flip':
        if (b.length === 0) break
        b = b.slice()
        b[at] ^= 1 << e.bit
        break
      case 'set':
        if (b.length === 0) break
        b = b.slice()
        b[at] = e.v
        break
      case 'insert':
        b = Buffer.concat([b.subarray(0, at), e.bytes, b.subarray(at)])
        break
      case 'delete':
        b = Buffer.concat([b.subarray(0, at), b.subarray(at + e.n)])
        break
      case 'splice': {
        const src = corpus[e.from % corpus.length]!
        const start = src.length === 0 ? 0 : e.start % src.length
        b = Buffer.concat([b.subarray(0, at), src.subarray(start, start + e.n), b.subarray(at)])
        break
      }
      case 'truncate':
        b = b.subarray(0, at)
        break
      case 'repeat': {
        const part = b.subarray(at, at + e.n)
        b = Buffer.concat([b.subarray(0, at), ...Array.from({ length: e.times }, () => part), b.subarray(at + e.n)])
        break
      }
    }
  }
  // a plain Uint8Array, as the transport would hand over (never a Buffer with view-returning slice)
  return Uint8Array.from(b)
}

/** Inputs: mostly a corpus seed with 0..5 edits (0 edits = the seed itself), sometimes random bytes. */
export function mutated(corpus: readonly Uint8Array[], randomMaxLength = 128): fc.Arbitrary<Uint8Array> {
  if (corpus.length === 0) throw new Error('empty corpus')
  return fc.oneof(
    { weight: 8, arbitrary: fc.tuple(fc.nat(corpus.length - 1), fc.array(edit, { maxLength: 5 })).map(([i, edits]) => apply(corpus[i]!, edits, corpus)) },
    { weight: 1, arbitrary: fc.uint8Array({ maxLength: randomMaxLength }) },
  )
}
