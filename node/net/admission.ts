/**
 * The record-layer side of gating (specs/network-v1.md §3): takes in a peer's hello records through the site's door
 * (source `hello`) and decides whether the certificate places the peer in the federation. Every cryptographic and
 * trust rule is the record layer's (protocol/); this file only sequences them.
 */
import { decodeRecord } from '../../protocol/index.ts'
import type { AdmitOutcome, RecordDoor } from '../records/index.ts'
import { HELLO_MAX_BYTES, HELLO_MAX_FEDERATION_RECORDS } from './constants.ts'
import type { Admitted, Placement } from './gate.ts'
import type { Hello } from './hello-message.ts'

/**
 * §3 What a hello carries besides the certificate, in this order until a limit is reached: the charter chain (the
 * receiver needs it to place the certificate), revocations, then the other certificates this site knows.
 * TODO(t11-trust): HELLO_TYPES from the record registry.
 */
const HELLO_TYPES = ['FederationCharter', 'CharterApproval', 'Revocation', 'SiteCertificate']
/** Room kept for the hello's own framing and certificate. */
const HELLO_HEADROOM_BYTES = 16 * 1024

const sameBytes = (a: Uint8Array, b: Uint8Array): boolean => Buffer.compare(a, b) === 0

export class Admission {
  constructor(private readonly door: RecordDoor, private readonly ownKey: Uint8Array) {}

  /** This site's hello (§3). */
  async ownHello(now: number): Promise<Hello> {
    const mine = this.door.trust.siteAt(this.ownKey, now)
    if (mine === undefined) throw new Error('this site holds no valid SiteCertificate under its charter')
    const store = this.door.store
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
  async place(hello: Hello, remoteKey: Uint8Array, now: number, peer: string): Promise<Placement> {
    // H4 first (cheap, and refuses a stolen certificate before anything is stored): it must name the Noise key
    const cert = decodeRecord(hello.certificate)
    if (cert.action !== 'accept') return { ok: false, code: 'bad_certificate', message: `${cert.code}: ${cert.message}` }
    if (cert.record.type !== 'SiteCertificate') return { ok: false, code: 'bad_certificate', message: `a ${cert.record.type}, not a SiteCertificate` }
    const siteKey = (cert.record.body as { site_key?: unknown }).site_key
    if (!(siteKey instanceof Uint8Array) || !sameBytes(siteKey, remoteKey)) {
      return { ok: false, code: 'key_mismatch', message: 'the certificate names another key than the one Noise authenticated' }
    }
    // H3: the federation records, in any order (TrustState buffers what it cannot place yet), then the certificate
    for (const bytes of hello.federation) await this.take(bytes, peer)
    const taken = await this.take(hello.certificate, peer)
    // H5: valid now, under the current charter, for exactly this key
    const site = this.door.trust.siteAt(remoteKey, now)
    if (site === undefined) {
      return { ok: false, code: 'not_certified', message: `no valid certificate for this key (${taken.action} ${taken.code})` }
    }
    return { ok: true, admitted: { siteKey: remoteKey, certificateId: site.certificateId, nation: site.nation } }
  }

  /** §3 rule H6. */
  stillValid = (a: Admitted, now: number): boolean => this.door.trust.siteAt(a.siteKey, now)?.certificateId === a.certificateId

  private take(bytes: Uint8Array, peer: string): Promise<AdmitOutcome> {
    return this.door.admit(bytes, { via: 'hello', peer })
  }
}
