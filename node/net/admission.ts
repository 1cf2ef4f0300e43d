/**
 * The record-layer side of gating (specs/network-v1.md §3): takes in a peer's hello records through the site's
 * Ingestor (validate → store durably → apply to trust) and decides whether the certificate places the peer in the
 * federation. Every cryptographic and trust rule is the record layer's (protocol/); this file only sequences them.
 */
import { HELLO_TYPES, decodeRecord, validateRecord } from '../../protocol/index.ts'
import type { DecodedRecord } from '../../protocol/index.ts'
import type { IngestOutcome, Ingestor } from '../records/ingest.ts'
import { HELLO_MAX_BYTES, HELLO_MAX_FEDERATION_RECORDS } from './constants.ts'
import type { Admitted, Placement } from './gate.ts'
import type { Hello } from './hello-message.ts'
import type { NetOutcome } from './validation.ts'

// §3 What a hello carries besides the certificate, in this order until a limit is reached: the charter chain (the
// receiver needs it to place the certificate), revocations, then the other certificates this site knows —
// HELLO_TYPES, derived from the record registry (protocol/records/index.ts).
/** Room kept for the hello's own framing and certificate. */
const HELLO_HEADROOM_BYTES = 16 * 1024

const sameBytes = (a: Uint8Array, b: Uint8Array): boolean => Buffer.compare(a, b) === 0

export class Admission {
  /**
   * @param onLearned called for each record a hello brought that this site did not have (stored, applied): the
   *   site repeats hello with its other peers, so sites beyond this peer learn it too (§3 rule H7).
   */
  constructor(private readonly ingestor: Ingestor, private readonly ownKey: Uint8Array,
    private readonly onLearned: (record: DecodedRecord) => void) {}

  /** aip-v1 validation at `now` against the current trust state (duplicates are the store's to find). */
  validate = (bytes: Uint8Array, now: number): NetOutcome => {
    const outcome = validateRecord(bytes, { now, trust: this.ingestor.trust })
    this.ingestor.observeIgnored(outcome) // aip-v1 §5.7: IGNOREd federation records still feed the trust state
    return outcome
  }

  /** This site's hello (§3). */
  async ownHello(now: number): Promise<Hello> {
    const mine = this.ingestor.trust.siteAt(this.ownKey, now)
    if (mine === undefined) throw new Error('this site holds no valid SiteCertificate under its charter')
    const store = this.ingestor.store
    const certificate = await store.get(mine.certificateId)
    if (certificate === undefined) throw new Error(`own certificate ${mine.certificateId} is not in the store`)
    const federation: Uint8Array[] = []
    let bytes = certificate.length + HELLO_HEADROOM_BYTES
    for (const type of HELLO_TYPES) {
      for await (const info of store.list({ type })) {
        if (info.id === mine.certificateId) continue
        const r = await store.get(info.id)
        if (r === undefined) continue
        if (federation.length >= HELLO_MAX_FEDERATION_RECORDS || bytes + r.length > HELLO_MAX_BYTES) return { certificate, federation }
        federation.push(r)
        bytes += r.length
      }
    }
    return { certificate, federation }
  }

  /** §3 rules H3–H5. */
  async place(hello: Hello, remoteKey: Uint8Array, now: number): Promise<Placement> {
    // H4 first (cheap, and refuses a stolen certificate before anything is stored): it must name the Noise key
    const cert = decodeRecord(hello.certificate)
    if (cert.action !== 'accept') return { ok: false, code: 'bad_certificate', message: `${cert.code}: ${cert.message}` }
    if (cert.record.type !== 'SiteCertificate') return { ok: false, code: 'bad_certificate', message: `a ${cert.record.type}, not a SiteCertificate` }
    const siteKey = (cert.record.body as { site_key?: unknown }).site_key
    if (!(siteKey instanceof Uint8Array) || !sameBytes(siteKey, remoteKey)) {
      return { ok: false, code: 'key_mismatch', message: 'the certificate names another key than the one Noise authenticated' }
    }
    // H3: the federation records, in any order (TrustState buffers what it cannot place yet), then the certificate
    for (const bytes of hello.federation) await this.take(bytes)
    const taken = await this.take(hello.certificate)
    // H5: valid now, under the current charter, for exactly this key
    const site = this.ingestor.trust.siteAt(remoteKey, now)
    if (site === undefined) {
      return { ok: false, code: 'not_certified', message: `no valid certificate for this key (${taken.action} ${taken.code})` }
    }
    return { ok: true, admitted: { siteKey: remoteKey, certificateId: site.certificateId, nation: site.nation } }
  }

  /** §3 rule H6. */
  stillValid = (a: Admitted, now: number): boolean => this.ingestor.trust.siteAt(a.siteKey, now)?.certificateId === a.certificateId

  private async take(bytes: Uint8Array): Promise<IngestOutcome> {
    const outcome = await this.ingestor.ingest(bytes)
    if (outcome.action === 'accept' && outcome.record !== undefined) this.onLearned(outcome.record)
    return outcome
  }
}
