/**
 * The record-layer side of gating (specs/network-v1.md §3): judges a peer's certificate before anything of its hello
 * is taken in (H2a, H4, H5 on the site's trust state or a scratch copy), then admits the hello's records through the
 * site's door (source `hello`, H3). Every cryptographic and trust rule is the record layer's (protocol/).
 */
import { HELLO_TYPES, TrustState, decodeRecord, parseEnvelope, recordTypeOf, validateRecord } from '../../protocol/index.ts'
import type { DecodedRecord } from '../../protocol/index.ts'
import type { RecordDoor } from '../records/index.ts'
import { HELLO_MAX_BYTES, HELLO_MAX_DRY_RUN_RECORDS, HELLO_MAX_FEDERATION_RECORDS } from './constants.ts'
import type { Admitted, Placement } from './gate.ts'
import type { Hello } from './hello-message.ts'

/**
 * §3 What a hello carries besides the certificate, in this order until a limit is reached: the charter chain (the
 * receiver needs it to place the certificate), revocations, then the other certificates this site knows (H2a: these
 * four types only) — HELLO_TYPES, derived from the record registry (protocol/records/index.ts).
 */
const CHAIN_TYPES = ['FederationCharter', 'CharterApproval']
/** Room kept for the hello's own framing and certificate. */
const HELLO_HEADROOM_BYTES = 16 * 1024

const sameBytes = (a: Uint8Array, b: Uint8Array): boolean => Buffer.compare(a, b) === 0

/** The record type an envelope's protected header names, without checking its signature; undefined if none. */
function typeOf(bytes: Uint8Array): string | undefined {
  try {
    return recordTypeOf(parseEnvelope(bytes).contentType)
  } catch {
    return undefined
  }
}

export class Admission {
  /**
   * The last hello built, for the certificate it was built with: a hello is sent on every connection, and building
   * one reads up to HELLO_MAX_FEDERATION_RECORDS records from the store. Dropped when a federation record is stored
   * or any record withdrawn.
   */
  private cached?: { certificateId: string; hello: Promise<Hello> }

  constructor(private readonly door: RecordDoor, private readonly ownKey: Uint8Array) {
    door.on('stored', ({ record }) => { if ((HELLO_TYPES as readonly string[]).includes(record.type)) this.cached = undefined })
    door.on('withdrawn', () => { this.cached = undefined })
  }

  /** This site's hello (§3). */
  ownHello(now: number): Promise<Hello> {
    const mine = this.door.trust.siteAt(this.ownKey, now)
    if (mine === undefined) return Promise.reject(new Error('this site holds no valid SiteCertificate under its charter'))
    if (this.cached?.certificateId !== mine.certificateId) {
      const hello = this.buildHello(mine.certificateId)
      this.cached = { certificateId: mine.certificateId, hello }
      hello.catch(() => { if (this.cached?.hello === hello) this.cached = undefined })
    }
    return this.cached.hello
  }

  private async buildHello(certificateId: string): Promise<Hello> {
    const mine = { certificateId }
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

  /** §3 rules H2a, H4, H5, then H3 and H5 again. */
  async place(hello: Hello, remoteKey: Uint8Array, now: number, peer: string): Promise<Placement> {
    // H2a: the four federation types only, read from the protected headers (no signature checked yet)
    const types = hello.federation.map(typeOf)
    const stray = types.findIndex((t) => t === undefined || !(HELLO_TYPES as readonly string[]).includes(t))
    if (stray >= 0) return { ok: false, code: 'bad_hello', message: `record #${stray} is ${types[stray] ?? 'not a record'}, which a hello does not carry` }
    // H4 first (cheap, and refuses a stolen certificate before anything else): it must name the Noise key
    const cert = decodeRecord(hello.certificate)
    if (cert.action !== 'accept') return { ok: false, code: 'bad_certificate', message: `${cert.code}: ${cert.message}` }
    if (cert.record.type !== 'SiteCertificate') return { ok: false, code: 'bad_certificate', message: `a ${cert.record.type}, not a SiteCertificate` }
    const siteKey = (cert.record.body as { site_key?: unknown }).site_key
    if (!(siteKey instanceof Uint8Array) || !sameBytes(siteKey, remoteKey)) {
      return { ok: false, code: 'key_mismatch', message: 'the certificate names another key than the one Noise authenticated' }
    }
    // H5 before anything is stored, buffered or charged: the site's trust state, else a scratch copy (a dry run)
    if (this.door.trust.siteAt(remoteKey, now)?.certificateId !== cert.record.id) {
      const judged = this.dryRun(hello, types, cert.record, remoteKey, now)
      if (judged !== undefined) return { ok: false, code: 'not_certified', message: judged }
    }
    // H3: the hello's records, then the certificate, through the door
    for (const bytes of hello.federation) await this.door.admit(bytes, { via: 'hello', peer })
    const taken = await this.door.admit(hello.certificate, { via: 'hello', peer })
    // H5 once more, on the site's own trust state (a Revocation it holds still refuses)
    const site = this.door.trust.siteAt(remoteKey, now)
    if (site === undefined) {
      return { ok: false, code: 'not_certified', message: `no valid certificate for this key (${taken.action} ${taken.code})` }
    }
    return { ok: true, admitted: { siteKey: remoteKey, certificateId: site.certificateId, nation: site.nation } }
  }

  /** §3 rule H6. */
  stillValid = (a: Admitted, now: number): boolean => this.door.trust.siteAt(a.siteKey, now)?.certificateId === a.certificateId

  /**
   * §3 H5 on a scratch trust state: the site's stored charter chain, at most HELLO_MAX_DRY_RUN_RECORDS charters and
   * approvals of the hello, then the certificate. Returns why the certificate fails, or undefined if it passes.
   */
  private dryRun(hello: Hello, types: Array<string | undefined>, cert: DecodedRecord, remoteKey: Uint8Array, now: number): string | undefined {
    const scratch = new TrustState(this.door.trust.genesisCharterId)
    for (const r of this.door.charterChain()) scratch.apply(r)
    let checked = 0
    for (let i = 0; i < hello.federation.length && checked < HELLO_MAX_DRY_RUN_RECORDS; i++) {
      if (!CHAIN_TYPES.includes(types[i]!)) continue
      checked++
      const o = decodeRecord(hello.federation[i]!)
      if (o.action === 'accept') scratch.apply(o.record)
    }
    const v = validateRecord(cert.bytes, { now, trust: scratch })
    if (v.action !== 'accept') return `certificate ${v.action} ${v.code}: ${v.message}`
    scratch.apply(v.record)
    return scratch.siteAt(remoteKey, now)?.certificateId === cert.id ? undefined : 'the certificate is not valid now under the charter in effect'
  }
}
