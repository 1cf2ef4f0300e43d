/**
 * Verification in the browser (node/ui/README.md §Verified in the browser): the dashboard receives raw envelopes,
 * never the node's verdicts, and runs the record layer's own checks on them here — protocol/validate.ts's stateless
 * checks (COSE_Sign1 structure, deterministic CBOR, schema, Ed25519 signature by @noble/ed25519 in the bundle), then
 * a TrustState pinned to the genesis charter fed the federation records (charter → root → site certificate, aip-v1
 * §5.7), then the signer rules of §6.2 for every record against it.
 */
import { authorize, decodeRecord, MAX_CLOCK_SKEW_MS, recordId, TRUST_TYPES, TrustState } from '../../../protocol/index.ts'
import type { DecodedRecord } from '../../../protocol/index.ts'

export interface Verdict {
  /** The ID computed here from the bytes (sha2-256), not the one the node claims. */
  id: string
  ok: boolean
  action: 'accept' | 'ignore' | 'reject'
  code: string
  message?: string
  record?: DecodedRecord
}

export interface Verification {
  verdicts: Verdict[]
  trust: TrustState
  ms: number
}

const hex = (b: Uint8Array): string => Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('')
export { hex }

/**
 * Verifies envelopes as they arrive (the page first feeds the federation records, renders, then feeds the rest in
 * slices): each is decoded and checked once; the federation records among them feed the trust state, and when one
 * arrives late every verdict is judged again against the grown state (authorize is cheap, the signatures are not
 * checked again). Duplicates (same bytes) are skipped.
 */
export class BrowserVerifier {
  readonly trust: TrustState
  verdicts: Verdict[] = []
  /** Time spent verifying, ms. */
  ms = 0
  private readonly decoded: Array<{ bytes: Uint8Array; outcome: ReturnType<typeof decodeRecord> }> = []
  private readonly seen = new Set<string>()

  constructor(genesisCharter: string, private readonly now: number) {
    this.trust = new TrustState(genesisCharter)
  }

  add(envelopes: readonly Uint8Array[]): void {
    const t0 = performance.now()
    // decodeRecord hashes the bytes for the ID anyway: a duplicate costs one decode, a fresh record no second hash
    const fresh = envelopes.map((bytes) => ({ bytes, outcome: decodeRecord(bytes) })).filter(({ bytes, outcome }) => {
      const id = outcome.record?.id ?? recordId(bytes)
      if (this.seen.has(id)) return false
      this.seen.add(id)
      return true
    })
    // §5.7: every federation record that passed the stateless checks feeds the trust state, in `created` order (the
    // state is order-independent; this order only spares the pending buffer).
    const fed = fresh.flatMap((d) => (d.outcome.record !== undefined && TRUST_TYPES.has(d.outcome.record.type) ? [d.outcome.record] : []))
    fed.sort((a, b) => a.created - b.created)
    for (const r of fed) this.trust.apply(r)
    this.decoded.push(...fresh)
    if (fed.length > 0) this.verdicts = this.decoded.map((d) => this.judge(d.bytes, d.outcome))
    else this.verdicts = [...this.verdicts, ...fresh.map((d) => this.judge(d.bytes, d.outcome))]
    this.ms += performance.now() - t0
  }

  /** Judges records kept elsewhere (the site's local reviews) against the same trust state, without adding them. */
  check(envelopes: readonly Uint8Array[]): Verdict[] {
    return envelopes.map((bytes) => this.judge(bytes, decodeRecord(bytes)))
  }

  get count(): number {
    return this.decoded.length
  }

  private judge(bytes: Uint8Array, outcome: ReturnType<typeof decodeRecord>): Verdict {
    const r = outcome.record
    if (outcome.action !== 'accept' || r === undefined) {
      return { id: r?.id ?? recordId(bytes), ok: false, action: outcome.action, code: outcome.code, message: 'message' in outcome ? outcome.message : undefined, record: r }
    }
    if (r.created > this.now + MAX_CLOCK_SKEW_MS) return { id: r.id, ok: false, action: 'ignore', code: 'clock_skew', message: `created ${r.created - this.now} ms in the future`, record: r }
    const a = authorize(r, this.trust)
    if (a !== undefined && a.action !== 'accept') return { id: r.id, ok: false, action: a.action, code: a.code, message: a.message, record: r }
    return { id: r.id, ok: true, action: 'accept', code: 'ok', record: r }
  }

  snapshot(): Verification {
    return { verdicts: this.verdicts, trust: this.trust, ms: this.ms }
  }
}

/** Verifies every envelope against the pinned genesis charter at time `now` (ms). */
export function verifyEnvelopes(envelopes: Uint8Array[], genesisCharter: string, now: number): Verification {
  const v = new BrowserVerifier(genesisCharter, now)
  v.add(envelopes)
  return v.snapshot()
}

/** Splits a GET /ui/api/envelopes body: each envelope is a 4-byte big-endian length, then its bytes. */
export function splitBatch(buf: Uint8Array): Uint8Array[] {
  const out: Uint8Array[] = []
  let i = 0
  while (i + 4 <= buf.length) {
    const n = ((buf[i]! << 24) >>> 0) + (buf[i + 1]! << 16) + (buf[i + 2]! << 8) + buf[i + 3]!
    i += 4
    if (i + n > buf.length) throw new Error('truncated envelope batch')
    out.push(buf.subarray(i, i + n))
    i += n
  }
  if (i !== buf.length) throw new Error('trailing bytes in envelope batch')
  return out
}
