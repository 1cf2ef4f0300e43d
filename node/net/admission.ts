/**
 * The record-layer side of gating (specs/network-v1.md §3): validates hello records against the site's trust state,
 * stores and applies the ones it lacks, and decides whether a peer's certificate places it in the federation.
 * Everything cryptographic and every trust rule is the record layer's (protocol/); this file only sequences it.
 */
import { decodeRecord, validateRecord } from '../../protocol/index.ts'
import type { DecodedRecord, TrustState } from '../../protocol/index.ts'
import type { RecordStore } from '../store/store.ts'
import type { Admitted, Placement } from './gate.ts'
import type { Hello } from './hello-message.ts'
import type { NetOutcome } from './validation.ts'

/** Record types whose acceptance changes the trust state. */
export const FEDERATION_TYPES: ReadonlySet<string> = new Set(['FederationCharter', 'CharterApproval', 'SiteCertificate', 'Revocation'])
/** Record types a peer needs to place a certificate (the hello chain, §3). */
const CHAIN_TYPES = ['FederationCharter', 'CharterApproval']

const sameBytes = (a: Uint8Array, b: Uint8Array): boolean => Buffer.compare(a, b) === 0

export class Admission {
  constructor(private readonly trust: TrustState, private readonly store: RecordStore, private readonly ownKey: Uint8Array,
    private readonly onAccepted: (record: DecodedRecord) => void) {}

  /** aip-v1 validation at `now` against the current trust state. */
  validate = (bytes: Uint8Array, now: number): NetOutcome => validateRecord(bytes, { now, trust: this.trust, isKnown: () => false })

  /** Applies a durably stored record to the trust state when it is a federation record. */
  apply(record: DecodedRecord): void {
    if (FEDERATION_TYPES.has(record.type)) this.trust.apply(record)
  }

  /** This site's hello: its current certificate and the charter chain (§3). Throws if the site has no certificate. */
  async ownHello(now: number): Promise<Hello> {
    const mine = this.trust.siteAt(this.ownKey, now)
    if (mine === undefined) throw new Error('this site holds no valid SiteCertificate under its charter')
    const certificate = await this.store.get(mine.certificateId)
    if (certificate === undefined) throw new Error(`own certificate ${mine.certificateId} is not in the store`)
    const chain: Uint8Array[] = []
    for (const type of CHAIN_TYPES) {
      for await (const info of this.store.list({ type })) {
        const bytes = await this.store.get(info.id)
        if (bytes !== undefined) chain.push(bytes)
      }
    }
    return { certificate, chain }
  }

  /** §3 rules H3–H5. */
  async place(hello: Hello, remoteKey: Uint8Array, now: number): Promise<Placement> {
    // H3: charters first (each may need its predecessor), then approvals; skip what this site already holds
    const pending = [...hello.chain]
    for (let pass = 0; pass < 3 && pending.length > 0; pass++) {
      for (let i = 0; i < pending.length; i++) {
        const r = await this.accept(pending[i], now)
        if (r !== 'retry') pending.splice(i--, 1)
      }
    }
    const cert = decodeRecord(hello.certificate)
    if (cert.action !== 'accept') return { ok: false, code: 'bad_certificate', message: `${cert.code}: ${cert.message}` }
    if (cert.record.type !== 'SiteCertificate') return { ok: false, code: 'bad_certificate', message: `a ${cert.record.type}, not a SiteCertificate` }
    const body = cert.record.body as { site_key?: Uint8Array }
    // H4: the certificate must name the key Noise authenticated
    if (!(body.site_key instanceof Uint8Array) || !sameBytes(body.site_key, remoteKey)) {
      return { ok: false, code: 'key_mismatch', message: 'the certificate names another site key than the connection\'s' }
    }
    const r = await this.accept(hello.certificate, now)
    if (r === 'retry') return { ok: false, code: 'not_certified', message: 'certificate cannot be placed under this site\'s charter' }
    // H5: valid now, under the current charter, for exactly this key
    const site = this.trust.siteAt(remoteKey, now)
    if (site === undefined) return { ok: false, code: 'not_certified', message: 'no valid certificate for this key' }
    return { ok: true, admitted: { siteKey: remoteKey, certificateId: site.certificateId, nation: site.nation } }
  }

  /** §3 rule H6. */
  stillValid = (a: Admitted, now: number): boolean => this.trust.siteAt(a.siteKey, now)?.certificateId === a.certificateId

  /** Validates one record; stores and applies it when accepted. 'retry' when it cannot be placed (yet). */
  private async accept(bytes: Uint8Array, now: number): Promise<'ok' | 'retry'> {
    const outcome = this.validate(bytes, now)
    if (outcome.action !== 'accept') return outcome.code === 'duplicate' ? 'ok' : 'retry'
    const record = outcome.record as DecodedRecord
    if (await this.store.has(record.id)) return 'ok'
    const put = await this.store.put(record)
    if (put === 'stored') {
      this.apply(record)
      this.onAccepted(record)
    }
    return 'ok'
  }
}
