/**
 * Federation trust state (spec §5): which charter is in effect when, which root key speaks for which nation, which
 * site keys are certified, revoked, and which records are retracted. Fed with signature-valid federation records in
 * any order — what cannot be placed yet (an approval before its charter, a certificate before the charter naming
 * its issuer, a charter before its predecessor takes effect) waits in a bounded buffer — and always reaches the same
 * state from the same set of records (§5.7). Every part is bounded by a named constant (§5.7 table).
 *
 * Every question is asked "at" a time: a record is judged at its own `created` time (spec §3.6), so a site that
 * comes back after a week accepts exactly what its peers accepted.
 *
 * For the node: `apply` returns every record it placed, including records that waited and were placed because the
 * applied one was what they waited for (§5.7: those must be re-validated, stored and relayed); `revocationEffect` says
 * which records a Revocation withdraws (§4.4); `retractionWithdraws` which record a Retraction withdraws, and
 * `isFederationType` (protocol/records) which records a Retraction never withdraws and a tombstone never blocks (§4.5).
 */
import { createHash } from 'node:crypto'
import {
  MAX_CERTIFICATES_PER_KEY, MAX_CHARTER_SUCCESSORS, MAX_TRUST_ALERTS, MAX_TRUST_CERTIFICATES, MAX_TRUST_CHARTERS,
  MAX_TRUST_PENDING, MAX_TRUST_PENDING_PER_SIGNER, MAX_TRUST_RETRACTIONS, MAX_TRUST_REVOCATIONS,
} from './constants.ts'
import { isFederationType } from './records/index.ts'
import { PendingRecords } from './trust-pending.ts'
import type { DecodedRecord } from './records/index.ts'
import type { FederationCharterBody } from './records/charter.ts'
import type { SiteCertificateBody } from './records/site-certificate.ts'

const hex = (b: Uint8Array): string => Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString('hex')

export interface CharterInfo {
  id: string
  body: FederationCharterBody
  /** Proposer's key (hex) and the charter's own `created`. */
  proposer: string
  created: number
  predecessorId: string | null
  /** nation → root key (hex) */
  rootsByNation: Map<string, string>
  /** root key (hex) → nation */
  nationByRoot: Map<string, string>
}

export interface EffectiveCharter {
  charter: CharterInfo
  /** The charter governs records created at or after this time (ms); −Infinity for the genesis charter. */
  effectiveFrom: number
}

export interface Certification {
  nation: string
  roles: string[]
  certificateId: string
}

export type SiteStatus = { status: 'ok'; site: Certification } | { status: 'unknown' | 'expired' | 'revoked' }

/** What a Revocation is asked about (a stored record's index fields suffice). */
export interface RecordRef {
  type: string
  signer: Uint8Array
  created: number
}

interface CertEntry {
  id: string
  body: SiteCertificateBody
  issuer: string
  /** The certified key (hex). */
  key: string
}

interface RevocationEntry {
  id: string
  issuer: string
  effectiveFrom: number
}

/** Wait keys: what a pending record waits for. */
const waitFor = {
  charter: (id: string) => `charter:${id}`, // the charter is stored (approvals)
  chain: (id: string) => `chain:${id}`, // the charter is in the chain in effect (its successors, §5.2)
  root: (key: string) => `root:${key}`, // a stored charter lists the key as a root
  cert: (key: string) => `cert:${key}`, // a certificate for the key is stored
}

type Placement = 'stored' | 'dropped' | { waitFor: string }

/** The bounds of §5.7 (defaults: the constants; tests pass smaller ones to reach them quickly). */
export interface TrustLimits {
  charters: number
  certificates: number
  certificatesPerKey: number
  revocations: number
  retractions: number
  pending: number
  pendingPerSigner: number
  alerts: number
}

export const TRUST_LIMITS: Readonly<TrustLimits> = {
  charters: MAX_TRUST_CHARTERS,
  certificates: MAX_TRUST_CERTIFICATES,
  certificatesPerKey: MAX_CERTIFICATES_PER_KEY,
  revocations: MAX_TRUST_REVOCATIONS,
  retractions: MAX_TRUST_RETRACTIONS,
  pending: MAX_TRUST_PENDING,
  pendingPerSigner: MAX_TRUST_PENDING_PER_SIGNER,
  alerts: MAX_TRUST_ALERTS,
}

export class TrustState {
  private readonly charters = new Map<string, CharterInfo>()
  /** root key (hex) → nations it is the root of in some held charter */
  private readonly roots = new Map<string, Set<string>>()
  /** predecessor id → ids of its first MAX_CHARTER_SUCCESSORS successors */
  private readonly successors = new Map<string, string[]>()
  /** charter id → approver key (hex) → earliest approval */
  private readonly approvals = new Map<string, Map<string, { created: number; id: string }>>()
  private chain: EffectiveCharter[] = []
  private readonly chainIds = new Set<string>()
  private readonly certsByKey = new Map<string, CertEntry[]>()
  private readonly certById = new Map<string, CertEntry>()
  /** target key (hex) / target certificate id → one entry per signer: its earliest effective_from */
  private readonly keyRevocations = new Map<string, RevocationEntry[]>()
  private readonly certRevocations = new Map<string, RevocationEntry[]>()
  private revocationCount = 0
  /** target record id → keys (hex) that retracted it */
  private readonly retractions = new Map<string, Set<string>>()
  private retractionCount = 0
  /** IDs of the records the state holds now (a record replaced by a better one leaves). */
  private readonly applied = new Set<string>()
  /** Records that cannot be placed yet, each filed under the event it waits for (bounded, §5.7). */
  private readonly pending: PendingRecords
  private readonly alertList: string[] = []
  private readonly alerted = new Set<string>()
  /** Bumped on every change: callers may cache derived answers against it. */
  version = 0

  private readonly limits: TrustLimits

  constructor(readonly genesisCharterId: string, limits: Partial<TrustLimits> = {}) {
    this.limits = { ...TRUST_LIMITS, ...limits }
    this.pending = new PendingRecords(this.limits.pending, this.limits.pendingPerSigner)
  }

  /**
   * Takes in one signature-valid record (an `accept` outcome, or an `ignore` outcome that carries its record).
   * Idempotent; order-independent. Types that do not feed the trust state (protocol/records: `trust`) are ignored.
   *
   * Returns the records this call placed, in order: the record itself if it changed the state, then every record
   * that had been waiting (§5.7) and was placed because of it. A returned record other than `record` was buffered
   * earlier — typically IGNOREd and never stored: the caller re-validates, stores and relays it (§5.7); one the
   * caller already holds (e.g. while replaying its store at startup) is simply a duplicate there.
   */
  apply(record: DecodedRecord): DecodedRecord[] {
    const placed: DecodedRecord[] = []
    this.applyOne(record, placed)
    return placed
  }

  private applyOne(record: DecodedRecord, placed: DecodedRecord[]): void {
    if (this.applied.has(record.id)) return
    const where = this.place(record)
    if (typeof where === 'object') {
      const signer = hex(record.signer)
      this.pending.add(record, signer, where.waitFor, this.certsByKey.has(signer) || this.roots.has(signer))
      return
    }
    this.pending.remove(record.id)
    if (where !== 'stored') return
    // Only held records are remembered: dropped ones cost nothing to re-check, and cannot grow memory.
    this.applied.add(record.id)
    this.version++
    placed.push(record)
    // Wake exactly the records waiting for what was just stored.
    if (record.type === 'FederationCharter') {
      this.wake(waitFor.charter(record.id), placed)
      for (const root of this.charters.get(record.id)!.nationByRoot.keys()) this.wake(waitFor.root(root), placed)
    }
    if (record.type === 'FederationCharter' || record.type === 'CharterApproval') this.recomputeChain(placed)
    if (record.type === 'SiteCertificate') this.wake(waitFor.cert(hex((record as DecodedRecord<'SiteCertificate'>).body.site_key)), placed)
  }

  private wake(event: string, placed: DecodedRecord[]): void {
    for (const r of this.pending.take(event)) this.applyOne(r, placed)
  }

  private forget(id: string): void {
    this.applied.delete(id)
  }

  /** 'stored' = changed the state; 'dropped' = can never matter (or a bound is reached); { waitFor } = not yet. */
  private place(r: DecodedRecord): Placement {
    switch (r.type) {
      case 'FederationCharter':
        return this.placeCharter(r as DecodedRecord<'FederationCharter'>)
      case 'CharterApproval':
        return this.placeApproval(r as DecodedRecord<'CharterApproval'>)
      case 'SiteCertificate':
        return this.placeCertificate(r as DecodedRecord<'SiteCertificate'>)
      case 'Revocation':
        return this.placeRevocation(r as DecodedRecord<'Revocation'>)
      case 'Retraction':
        return this.placeRetraction(r as DecodedRecord<'Retraction'>)
      default:
        return 'dropped'
    }
  }

  /** §5.2: the genesis; or a successor of a chain element, proposed by one of its roots, while it has < 2 successors. */
  private placeCharter(r: DecodedRecord<'FederationCharter'>): Placement {
    const signer = hex(r.signer)
    const predecessorId = r.body.predecessor === null ? null : r.body.predecessor.toString()
    if (r.id !== this.genesisCharterId) {
      if (predecessorId === null) return 'dropped' // another federation's genesis
      if (!this.chainIds.has(predecessorId)) return { waitFor: waitFor.chain(predecessorId) }
      if (!this.charters.get(predecessorId)!.nationByRoot.has(signer)) return 'dropped' // not a member root of it
      // Two successors prove the fork; a third changes nothing the chain depends on.
      if ((this.successors.get(predecessorId)?.length ?? 0) >= MAX_CHARTER_SUCCESSORS) return 'dropped'
      if (this.charters.size >= this.limits.charters) return this.full('charters', this.limits.charters)
    }
    const rootsByNation = new Map(r.body.members.map((m) => [m.nation, hex(m.root_key)]))
    const nationByRoot = new Map(r.body.members.map((m) => [hex(m.root_key), m.nation]))
    this.charters.set(r.id, { id: r.id, body: r.body, proposer: signer, created: r.created, predecessorId, rootsByNation, nationByRoot })
    for (const [root, nation] of nationByRoot) {
      const nations = this.roots.get(root)
      if (nations === undefined) this.roots.set(root, new Set([nation]))
      else nations.add(nation)
    }
    if (predecessorId !== null) {
      let s = this.successors.get(predecessorId)
      if (s === undefined) this.successors.set(predecessorId, (s = []))
      s.push(r.id)
    }
    return 'stored'
  }

  /** §5.2: counts if signed by a member root of the approved charter's predecessor; the earliest per root. */
  private placeApproval(r: DecodedRecord<'CharterApproval'>): Placement {
    const signer = hex(r.signer)
    const target = r.body.charter.toString()
    const c = this.charters.get(target)
    if (c === undefined) return { waitFor: waitFor.charter(target) }
    const pred = c.predecessorId === null ? undefined : this.charters.get(c.predecessorId)
    if (pred === undefined || !pred.nationByRoot.has(signer)) return 'dropped'
    let a = this.approvals.get(target)
    if (a === undefined) this.approvals.set(target, (a = new Map())) // ≤ MAX_CHARTER_MEMBERS entries: roots of pred
    const prev = a.get(signer)
    if (prev !== undefined && (prev.created < r.created || (prev.created === r.created && prev.id <= r.id))) return 'dropped'
    if (prev !== undefined) this.forget(prev.id)
    a.set(signer, { created: r.created, id: r.id })
    return 'stored'
  }

  /** §5.3, §5.7: held once its signer is a root of its nation somewhere; per key and issuer the latest not_after. */
  private placeCertificate(r: DecodedRecord<'SiteCertificate'>): Placement {
    const signer = hex(r.signer)
    if (!this.isRootAnywhere(signer, r.body.nation)) return { waitFor: waitFor.root(signer) }
    const key = hex(r.body.site_key)
    const entry: CertEntry = { id: r.id, body: r.body, issuer: signer, key }
    let list = this.certsByKey.get(key)
    const mine = list?.filter((c) => c.issuer === signer) ?? []
    if (mine.length >= this.limits.certificatesPerKey) {
      const weakest = mine.reduce((w, c) => (ranksAbove(w, c) ? c : w))
      if (!ranksAbove(entry, weakest)) return 'dropped'
      list!.splice(list!.indexOf(weakest), 1)
      this.certById.delete(weakest.id)
      this.forget(weakest.id)
    } else if (this.certById.size >= this.limits.certificates) return this.full('certificates', this.limits.certificates)
    if (list === undefined) this.certsByKey.set(key, (list = []))
    list.push(entry)
    this.certById.set(r.id, entry)
    return 'stored'
  }

  /** §5.4: by a root (anywhere; §5.3 decides whom it binds) or by the key itself; one entry per target and signer. */
  private placeRevocation(r: DecodedRecord<'Revocation'>): Placement {
    const signer = hex(r.signer)
    const body = r.body
    const self = body.target_key !== undefined && hex(body.target_key) === signer
    if (self && !this.certsByKey.has(signer)) return { waitFor: waitFor.cert(signer) }
    if (!self && !this.isRootAnywhere(signer)) return { waitFor: waitFor.root(signer) }
    const map = body.target_key !== undefined ? this.keyRevocations : this.certRevocations
    const target = body.target_key !== undefined ? hex(body.target_key) : body.target!.toString()
    let list = map.get(target)
    const entry: RevocationEntry = { id: r.id, issuer: signer, effectiveFrom: body.effective_from }
    const i = list?.findIndex((e) => e.issuer === signer) ?? -1
    if (i >= 0) {
      // The signer's earliest revocation of this target covers every later one (§4.4, §5.7).
      const prev = list![i]!
      if (prev.effectiveFrom < entry.effectiveFrom || (prev.effectiveFrom === entry.effectiveFrom && prev.id <= entry.id)) return 'dropped'
      this.forget(prev.id)
      list![i] = entry
      return 'stored'
    }
    if (this.revocationCount >= this.limits.revocations) return this.full('revocations', this.limits.revocations)
    if (list === undefined) map.set(target, (list = []))
    list.push(entry)
    this.revocationCount++
    return 'stored'
  }

  /** §5.5: only keys holding a stored certificate leave retractions; others wait (bounded). */
  private placeRetraction(r: DecodedRecord<'Retraction'>): Placement {
    const signer = hex(r.signer)
    if (!this.certsByKey.has(signer)) return { waitFor: waitFor.cert(signer) }
    const target = r.body.target.toString()
    let s = this.retractions.get(target)
    if (s?.has(signer)) return 'dropped' // already retracted by this signer
    if (this.retractionCount >= this.limits.retractions) return this.full('retractions', this.limits.retractions)
    if (s === undefined) this.retractions.set(target, (s = new Set()))
    s.add(signer)
    this.retractionCount++
    return 'stored'
  }

  /** A part of the state reached its bound (§5.7): drop, and alert once. */
  private full(part: string, bound: number): 'dropped' {
    this.alert(`full:${part}`, `trust state holds ${bound} ${part} (its bound, aip-v1 §5.7): further ${part} are dropped`)
    return 'dropped'
  }

  private alert(key: string, text: string): void {
    if (this.alerted.has(key)) return
    this.alerted.add(key) // ≤ one per charter and per part
    const max = this.limits.alerts
    if (this.alertList.length < max - 1) this.alertList.push(text)
    else if (this.alertList.length === max - 1) this.alertList.push(`${max} trust alerts: further alerts are not kept`)
  }

  private isRootAnywhere(key: string, nation?: string): boolean {
    const nations = this.roots.get(key)
    return nations !== undefined && (nation === undefined || nations.has(nation))
  }

  /** §5.2: walk from the genesis charter through successors that reached quorum; stop at a fork. */
  private recomputeChain(placed: DecodedRecord[]): void {
    const genesis = this.charters.get(this.genesisCharterId)
    this.chain = []
    this.chainIds.clear()
    if (genesis !== undefined) this.extendChain(genesis)
    // Charters that waited for their predecessor to take effect (§5.2) can be placed now.
    for (const e of [...this.chain]) this.wake(waitFor.chain(e.charter.id), placed)
  }

  private extendChain(genesis: CharterInfo): void {
    this.chain.push({ charter: genesis, effectiveFrom: -Infinity })
    this.chainIds.add(genesis.id)
    let cur = genesis
    let from = -Infinity
    for (;;) {
      const succ = this.successors.get(cur.id)
      if (succ === undefined || succ.length === 0) return
      if (succ.length > 1) {
        this.alert(`fork:${cur.id}`, `competing successor charters of ${cur.id}: ${succ[0]}, ${succ[1]} — neither takes effect (aip-v1 §5.2)`)
        return
      }
      const next = this.charters.get(succ[0]!)!
      const times = new Map<string, number>([[next.proposer, next.created]])
      for (const [k, a] of this.approvals.get(next.id) ?? []) if (cur.nationByRoot.has(k) && !(times.get(k)! <= a.created)) times.set(k, a.created)
      const sorted = [...times.values()].sort((a, b) => a - b)
      if (sorted.length < cur.body.quorum) return
      from = Math.max(from, next.created, sorted[cur.body.quorum - 1]!)
      this.chain.push({ charter: next, effectiveFrom: from })
      this.chainIds.add(next.id)
      cur = next
    }
  }

  /** The charter in effect for a record created at `atMs`, if the genesis charter is known. */
  charterAt(atMs: number): EffectiveCharter | undefined {
    for (let i = this.chain.length - 1; i >= 0; i--) if (this.chain[i]!.effectiveFrom <= atMs) return this.chain[i]
    return undefined
  }

  /** The newest charter in effect. */
  currentCharter(): EffectiveCharter | undefined {
    return this.chain[this.chain.length - 1]
  }

  /** A charter this state has stored (in effect or not). */
  charter(id: string): CharterInfo | undefined {
    return this.charters.get(id)
  }

  /** Whether a charter is in the chain in effect (§5.2): only such a charter's successors are held. */
  inChain(id: string): boolean {
    return this.chainIds.has(id)
  }

  /** Ids of the kept successors of a charter (two = a fork, spec §5.2). */
  successorsOf(id: string): string[] {
    return [...(this.successors.get(id) ?? [])]
  }

  /** The nation whose root key `key` is in the charter in effect at `atMs`. */
  rootAt(key: Uint8Array, atMs: number): string | undefined {
    return this.charterAt(atMs)?.charter.nationByRoot.get(hex(key))
  }

  /**
   * §5.3: a site key is certified at t if a certificate valid at t ([not_before, not_after)), not revoked at t, was
   * signed by the root key the charter in effect at t lists for the certificate's nation.
   */
  siteStatus(siteKey: Uint8Array, atMs: number): SiteStatus {
    return this.statusOf(hex(siteKey), atMs, undefined)
  }

  /** §5.3, ignoring the revocation with ID `without` (for §4.4: what a revocation changes). */
  private statusOf(key: string, atMs: number, without: string | undefined): SiteStatus {
    const certs = this.certsByKey.get(key)
    const charter = this.charterAt(atMs)
    if (certs === undefined || charter === undefined) return { status: 'unknown' }
    let expired = false
    let revoked = false
    for (const c of certs) {
      if (charter.charter.rootsByNation.get(c.body.nation) !== c.issuer) continue
      if (atMs < c.body.not_before || atMs >= c.body.not_after) {
        expired = true
        continue
      }
      if (revokedAt(this.keyRevocations.get(key), atMs, c.issuer, key, without) || revokedAt(this.certRevocations.get(c.id), atMs, c.issuer, undefined, without)) {
        revoked = true
        continue
      }
      return { status: 'ok', site: { nation: c.body.nation, roles: c.body.roles, certificateId: c.id } }
    }
    return { status: revoked ? 'revoked' : expired ? 'expired' : 'unknown' }
  }

  /** The certification of a site key at a time, or undefined. */
  siteAt(siteKey: Uint8Array, atMs: number): Certification | undefined {
    const s = this.siteStatus(siteKey, atMs)
    return s.status === 'ok' ? s.site : undefined
  }

  /** Whether a site key is revoked at `atMs` (and not otherwise certified then). */
  isRevoked(siteKey: Uint8Array, atMs: number): boolean {
    return this.siteStatus(siteKey, atMs).status === 'revoked'
  }

  /**
   * The site key a held Revocation may withdraw records of (§4.4): its `target_key`, or the key of the certificate it
   * targets (undefined while that certificate is not held, or when the revocation is not held — waiting, or covered
   * by an earlier one of the same signer).
   */
  revokedKey(revocation: DecodedRecord<'Revocation'>): Uint8Array | undefined {
    if (!this.applied.has(revocation.id)) return undefined
    const body = revocation.body
    if (body.target_key !== undefined) return body.target_key
    const c = this.certById.get(body.target!.toString())
    return c === undefined ? undefined : c.body.site_key
  }

  /**
   * aip-v1 §4.4: whether `revocation` (already applied) withdraws `record` — true exactly when the record is not a
   * federation record, and its signer is certified at its `created` without this revocation and not certified with it.
   * So a Revocation by another nation's root never withdraws anything (§5.3 judges only the issuer's revocations),
   * and a record whose signer is uncertified for another reason (an expiry, a fork) is not this revocation's to
   * withdraw. Pure: asks this state, changes nothing.
   */
  revocationEffect(revocation: DecodedRecord<'Revocation'>, record: RecordRef): boolean {
    if (isFederationType(record.type)) return false
    const key = this.revokedKey(revocation)
    if (key === undefined || hex(key) !== hex(record.signer)) return false
    const k = hex(record.signer)
    return this.statusOf(k, record.created, undefined).status !== 'ok' && this.statusOf(k, record.created, revocation.id).status === 'ok'
  }

  /** §4.5, §5.5: a record is retracted when its own signer retracted it — never a federation record. */
  isRetracted(record: { id: string; signer: Uint8Array; type: string }): boolean {
    if (isFederationType(record.type)) return false
    return this.retractions.get(record.id)?.has(hex(record.signer)) ?? false
  }

  /** Operator alerts: one per fork (competing successor charters, §5.2), one per part at its bound (§5.7). */
  alerts(): string[] {
    return [...this.alertList]
  }

  /** Records waiting for a charter, root or certificate this state does not know yet. */
  pendingCount(): number {
    return this.pending.size
  }

  /**
   * A digest of the placed state that answers questions: SHA-256 (hex) over the chain in effect, a proposed successor
   * of its last element (or the fork there), the approvals of those charters, and the certificates, revocations and
   * retractions whose signer is a root in one of them or holds a certificate from one. Equal sets of records give
   * equal fingerprints in any order (§5.7), within the bounds — also with a fork: which competitors were kept, and
   * what was placed under charters the fork took out of the chain, cannot change an answer and is left out. Buffered
   * records do not count. Used to check that a restart rebuilds the same state.
   */
  fingerprint(): string {
    const lines: string[] = []
    const live: CharterInfo[] = this.chain.map((e) => e.charter)
    for (const e of this.chain) lines.push(`chain ${String(lines.length).padStart(6, '0')} ${e.charter.id} ${e.effectiveFrom}`)
    const last = this.chain[this.chain.length - 1]?.charter
    const next = last === undefined ? [] : this.successorsOf(last.id)
    if (next.length === 1) live.push(this.charters.get(next[0]!)!)
    if (next.length > 1) lines.push(`fork ${last!.id}`)
    const isRoot = (key: string, nation?: string) => live.some((c) => { const n = c.nationByRoot.get(key); return n !== undefined && (nation === undefined || n === nation) })
    for (const c of live) {
      lines.push(`charter ${c.id}`)
      for (const a of this.approvals.get(c.id)?.values() ?? []) lines.push(`approval ${a.id}`)
    }
    const certified = new Set<string>()
    for (const c of this.certById.values()) {
      if (!isRoot(c.issuer, c.body.nation)) continue
      lines.push(`certificate ${c.id}`)
      certified.add(c.key)
    }
    for (const [kind, map] of [['key', this.keyRevocations], ['cert', this.certRevocations]] as const) {
      for (const [target, list] of map) {
        for (const e of list) if (isRoot(e.issuer) || (kind === 'key' && e.issuer === target && certified.has(target))) lines.push(`revocation ${e.id}`)
      }
    }
    for (const [target, keys] of this.retractions) for (const k of keys) if (certified.has(k)) lines.push(`retraction ${target} ${k}`)
    lines.sort()
    const h = createHash('sha256')
    for (const l of lines) h.update(`${l}\n`)
    return h.digest('hex')
  }
}

/**
 * aip-v1 §4.5: whether a Retraction withdraws a held record — it names the record, was signed by the record's own
 * signer, and the record is not a federation record (those are never withdrawn, and a tombstone never blocks one).
 */
export function retractionWithdraws(retraction: DecodedRecord<'Retraction'>, target: { id: string; type: string; signer: Uint8Array }): boolean {
  return retraction.body.target.toString() === target.id && !isFederationType(target.type) && Buffer.compare(retraction.signer, target.signer) === 0
}

/** Certificates of one key and issuer, best first: the latest not_after, then the smaller ID (§5.7). */
function ranksAbove(a: CertEntry, b: CertEntry): boolean {
  return a.body.not_after > b.body.not_after || (a.body.not_after === b.body.not_after && a.id < b.id)
}

function revokedAt(list: RevocationEntry[] | undefined, atMs: number, issuer: string, self: string | undefined, without: string | undefined): boolean {
  if (list === undefined) return false
  for (const e of list) if (e.id !== without && e.effectiveFrom <= atMs && (e.issuer === issuer || e.issuer === self)) return true
  return false
}
