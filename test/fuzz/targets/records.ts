/**
 * Fuzz targets for the envelope and record parsers (aip-v1 §3.2, §4, §6).
 *
 * `envelope`: mutated envelopes from specs/vectors/records.json through validateRecord (against the trust state of
 * the vectors' 'dev' context) and decodeRecord. Oracle: an outcome with a spec code, never an exception; an accepted
 * record is one of the corpus's own valid records (a mutated envelope accepted = accepted-invalid).
 *
 * `payload`: the payloads of the valid vector records, edited as maps (fields dropped, added, replaced, hidden under
 * "__proto__", `created` changed), re-encoded and signed by a fuzz key, through decodeRecord. Oracle: an accepted
 * record is the one createRecord builds from its parsed body: one wire form per content (aip-v1 §3.1, fault 7).
 */
import fc from 'fast-check'
import {
  createRecord, decodeCanonical, decodeRecord, encodeCanonical, envelope, generateSigningKey, IGNORE_CODES, isMap, parseEnvelope,
  protectedHeader, REJECT_CODES, RECORD_SPECS, recordTypeOf, sign, sigStructure, TrustState, validateRecord,
} from '../../../protocol/index.ts'
import type { BodyOf, CborMap, CborValue, Outcome, RecordType } from '../../../protocol/index.ts'
import { DEV_CONTEXT, mutated, RECORD_ENVELOPES, RECORD_POOL } from '../corpus.ts'
import type { FuzzTarget, Verdict } from '../harness.ts'
import { valueArb } from './cbor.ts'

const CODES = new Set<string>(['ok', ...REJECT_CODES, ...IGNORE_CODES])
const hex = (b: Uint8Array): string => Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString('hex')

/** The vectors' 'dev' context: genesis charter, its certificates and the rest of the pool, applied in order. */
const NOW = DEV_CONTEXT.now
function devTrust(): TrustState {
  const trust = new TrustState(DEV_CONTEXT.genesis)
  for (const id of DEV_CONTEXT.records) {
    const o = decodeRecord(RECORD_POOL.get(id)!)
    if (o.record !== undefined) trust.apply(o.record)
  }
  return trust
}

function checkOutcome(o: Outcome, where: string): Verdict | undefined {
  if (!CODES.has(o.code) || (o.action === 'accept') !== (o.code === 'ok')) return { fail: 'crash', reason: `${where}: outcome ${o.action}/${o.code} is not in the spec's code list` }
  return undefined
}

let trust: TrustState | undefined
let validEnvelopes: Set<string> | undefined

export const envelopeTarget: FuzzTarget = {
  name: 'envelope',
  arbitrary: mutated(RECORD_ENVELOPES, 512),
  async setup() {
    trust = devTrust()
    validEnvelopes = new Set(RECORD_ENVELOPES.filter((b) => decodeRecord(b).action === 'accept').map(hex))
  },
  run(bytes) {
    const full = validateRecord(bytes, { now: NOW, trust: trust! })
    const bad = checkOutcome(full, 'validateRecord')
    if (bad !== undefined) return bad
    const stateless = decodeRecord(bytes)
    const bad2 = checkOutcome(stateless, 'decodeRecord')
    if (bad2 !== undefined) return bad2
    if (stateless.action === 'accept' || full.action === 'accept') {
      if (!validEnvelopes!.has(hex(bytes))) return { fail: 'accepted-invalid', reason: 'a mutated envelope was accepted' }
      return 'accepted'
    }
    return 'rejected'
  },
}

// ---------------------------------------------------------------------------------------------------------------

const FUZZ_KEY = generateSigningKey(new Uint8Array(32).fill(7))
interface Seed { type: RecordType; map: CborMap }
const SEEDS: Seed[] = []
for (const bytes of RECORD_POOL.values()) {
  const o = decodeRecord(bytes)
  if (o.action !== 'accept') continue
  const map = decodeCanonical(o.record.payload)
  if (isMap(map)) SEEDS.push({ type: o.record.type, map })
}

type PayloadEdit =
  | { k: 'drop' | 'hideOne'; i: number }
  | { k: 'add'; key: string; value: CborValue }
  | { k: 'replace'; i: number; value: CborValue }
  | { k: 'borrow'; i: number; from: number; j: number }
  | { k: 'hide' }
  | { k: 'created'; v: number }

const KEYS = ['__proto__', 'constructor', 'toString', 'hasOwnProperty', 'valueOf', 'created', 'name', 'roles', 'nation', 'target', 'scores', 'members']
const payloadEdit: fc.Arbitrary<PayloadEdit> = fc.oneof(
  fc.record({ k: fc.constantFrom('drop' as const, 'hideOne' as const), i: fc.nat() }),
  fc.record({ k: fc.constant('add' as const), key: fc.oneof(fc.constantFrom(...KEYS), fc.string({ maxLength: 8 })), value: valueArb }),
  fc.record({ k: fc.constant('replace' as const), i: fc.nat(), value: valueArb }),
  fc.record({ k: fc.constant('borrow' as const), i: fc.nat(), from: fc.nat(), j: fc.nat() }),
  fc.record({ k: fc.constant('hide' as const) }),
  fc.record({ k: fc.constant('created' as const), v: fc.oneof(fc.nat(), fc.integer()) }),
)

/** Sets an own property, "__proto__" included (assignment would set the prototype instead). */
function put(m: CborMap, k: string, v: CborValue): void {
  Object.defineProperty(m, k, { value: v, enumerable: true, writable: true, configurable: true })
}

function applyEdits(seed: Seed, edits: readonly PayloadEdit[]): CborMap {
  let m: CborMap = {}
  for (const k of Object.keys(seed.map)) put(m, k, seed.map[k]!)
  for (const e of edits) {
    const keys = Object.keys(m)
    const key = keys.length === 0 ? undefined : keys[('i' in e ? e.i : 0) % keys.length]!
    switch (e.k) {
      case 'drop':
        if (key !== undefined) delete m[key]
        break
      case 'hideOne': {
        if (key === undefined) break
        const inner: CborMap = {}
        put(inner, key, m[key]!)
        delete m[key]
        put(m, '__proto__', inner)
        break
      }
      case 'add':
        put(m, e.key, e.value)
        break
      case 'replace':
        if (key !== undefined) put(m, key, e.value)
        break
      case 'borrow': {
        const other = SEEDS[e.from % SEEDS.length]!.map
        const ok = Object.keys(other)
        if (key !== undefined && ok.length > 0) put(m, key, other[ok[e.j % ok.length]!]!)
        break
      }
      case 'hide': {
        // fault 7's form: the real fields inside "__proto__", only `created` outside
        const inner: CborMap = {}
        for (const k of keys) if (k !== 'created') put(inner, k, m[k]!)
        const outer: CborMap = {}
        if ('created' in m) put(outer, 'created', m.created!)
        put(outer, '__proto__', inner)
        m = outer
        break
      }
      case 'created':
        put(m, 'created', e.v)
        break
    }
  }
  return m
}

const payloadArb = fc.tuple(fc.nat(SEEDS.length - 1), fc.array(payloadEdit, { maxLength: 3 })).map(([i, edits]) => {
  const seed = SEEDS[i]!
  return { type: seed.type, map: applyEdits(seed, edits) }
})

export const payloadTarget: FuzzTarget<{ type: RecordType; map: CborMap }> = {
  name: 'payload',
  arbitrary: payloadArb,
  show: (x) => {
    try {
      return `${x.type} ${hex(encodeCanonical(x.map))}`
    } catch {
      return x.type
    }
  },
  run({ type, map }) {
    let payload: Uint8Array
    try {
      payload = encodeCanonical(map)
    } catch {
      return 'rejected' // not encodable (lone surrogate, depth): no record to test
    }
    const prot = protectedHeader(RECORD_SPECS[type].contentType, FUZZ_KEY.publicKey)
    const bytes = envelope(prot, payload, sign(FUZZ_KEY, sigStructure(prot, payload)))
    if (recordTypeOf(parseEnvelope(bytes).contentType) !== type) return { fail: 'crash', reason: 'envelope does not round-trip its content type' }
    const o = decodeRecord(bytes)
    const bad = checkOutcome(o, 'decodeRecord')
    if (bad !== undefined) return bad
    if (o.action !== 'accept') return 'rejected'
    let again: Uint8Array
    try {
      again = createRecord(type, o.record.body as BodyOf<typeof type>, FUZZ_KEY, o.record.created).bytes
    } catch (e) {
      return { fail: 'accepted-invalid', reason: `accepted a payload whose body createRecord refuses: ${(e as Error).message}` }
    }
    if (Buffer.compare(again, bytes) !== 0) return { fail: 'accepted-invalid', reason: 'accepted a second wire form: the parsed body re-creates other bytes' }
    return 'accepted'
  },
}
