/**
 * Federation trust state (spec §5): which charter is in effect when, which root key speaks for which nation, which
 * site keys are certified, revoked, and which records are retracted. Fed with signature-valid federation records in
 * any order — what cannot be placed yet (an approval before its charter, a certificate before the charter naming
 * its issuer) waits in a bounded buffer — and always reaches the same state from the same set of records.
 *
 * Every question is asked "at" a time: a record is judged at its own `created` time (spec §3.6), so a site that
 * comes back after a week accepts exactly what its peers accepted.
 */
import { MAX_TRUST_PENDING } from './constants.ts'
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

interface CertEntry {
  id: string
  body: SiteCertificateBody
  issuer: string
}

interface RevocationEntry {
  issuer: string
  effectiveFrom: number
}

export class TrustState {
  private readonly charters = new Map<string, CharterInfo>()
  /** predecessor id → ids of the charters that name it */
  private readonly successors = new Map<string, Set<string>>()
  /** charter id → approver key (hex) → earliest approval `created` */
  private readonly approvals = new Map<string, Map<string, number>>()
  private chain: EffectiveCharter[] = []
  private readonly certsByKey = new Map<string, CertEntry[]>()
  private readonly keyRevocations = new Map<string, RevocationEntry[]>()
  private readonly certRevocations = new Map<string, RevocationEntry[]>()
  /** target record id → keys (hex) that retracted it */
  private readonly retractions = new Map<string, Set<string>>()
  private readonly applied = new Set<string>()
  /** Records that cannot be placed yet, oldest first, each with the event it waits for. */
  private readonly pending = new Map<string, { record: DecodedRecord; on: string }>()
  /** wait key ('charter:<id>', 'root:<key>', 'cert:<key>') → ids of pending records waiting for it */
  private readonly waiting = new Map<string, Set<string>>()
  private readonly alertList: string[] = []
  private readonly alerted = new Set<string>()
  /** Bumped on every change: callers may cache derived answers against it. */
  version = 0

  constructor(readonly genesisCharterId: string) {}

  /**
   * Takes in one signature-valid record (an `accept` outcome, or an `ignore` outcome that carries its record).
   * Idempotent; order-independent. Types other than those in TRUST_TYPES are ignored.
   */
  apply(record: DecodedRecord): void {
    if (this.applied.has(record.id)) return
    const placed = this.place(record)
    if (typeof placed === 'object') {
      if (!this.pending.has(record.id)) {
        if (this.pending.size >= MAX_TRUST_PENDING) this.unpend(this.pending.keys().next().value!)
        this.pending.set(record.id, { record, on: placed.waitFor })
        let set = this.waiting.get(placed.waitFor)
        if (set === undefined) this.waiting.set(placed.waitFor, (set = new Set()))
        set.add(record.id)
      }
      return
    }
    this.unpend(record.id)
    if (placed === 'stored') {
      // Only stored records are remembered: dropped ones cost nothing to re-check, and cannot grow memory.
      this.applied.add(record.id)
      this.version++
      if (record.type === 'FederationCharter' || record.type === 'CharterApproval') this.recomputeChain()
      // Wake exactly the records waiting for what was just stored.
      if (record.type === 'FederationCharter') {
        const c = this.charters.get(record.id)!
        this.wake(`charter:${record.id}`)
        for (const root of c.nationByRoot.keys()) this.wake(`root:${root}`)
      }
      if (record.type === 'SiteCertificate') this.wake(`cert:${hex((record as DecodedRecord<'SiteCertificate'>).body.site_key)}`)
    }
  }

  private unpend(id: string): void {
    const p = this.pending.get(id)
    if (p === undefined) return
    this.pending.delete(id)
    const set = this.waiting.get(p.on)
    set?.delete(id)
    if (set?.size === 0) this.waiting.delete(p.on)
  }

  private wake(key: string): void {
    const ids = this.waiting.get(key)
    if (ids === undefined) return
    this.waiting.delete(key)
    for (const id of ids) {
      const p = this.pending.get(id)
      if (p === undefined) continue
      this.pending.delete(id)
      this.apply(p.record)
    }
  }

  /** 'stored' = changed the state; 'dropped' = can never matter; { waitFor } = depends on something not yet stored. */
  private place(r: DecodedRecord): 'stored' | 'dropped' | { waitFor: string } {
    const signer = hex(r.signer)
    switch (r.type) {
      case 'FederationCharter': {
        const body = (r as DecodedRecord<'FederationCharter'>).body
        const predecessorId = body.predecessor === null ? null : body.predecessor.toString()
        if (r.id !== this.genesisCharterId) {
          if (predecessorId === null) return 'dropped' // another federation's genesis
          const pred = this.charters.get(predecessorId)
          if (pred === undefined) return { waitFor: `charter:${predecessorId}` }
          if (!pred.nationByRoot.has(signer)) return 'dropped' // §5.2: proposer must be a member root of the predecessor
        }
        const rootsByNation = new Map(body.members.map((m) => [m.nation, hex(m.root_key)]))
        const nationByRoot = new Map(body.members.map((m) => [hex(m.root_key), m.nation]))
        this.charters.set(r.id, { id: r.id, body, proposer: signer, created: r.created, predecessorId, rootsByNation, nationByRoot })
        if (predecessorId !== null) {
          let s = this.successors.get(predecessorId)
          if (s === undefined) this.successors.set(predecessorId, (s = new Set()))
          s.add(r.id)
        }
        return 'stored'
      }
      case 'CharterApproval': {
        const target = (r as DecodedRecord<'CharterApproval'>).body.charter.toString()
        const c = this.charters.get(target)
        if (c === undefined) return { waitFor: `charter:${target}` }
        const pred = c.predecessorId === null ? undefined : this.charters.get(c.predecessorId)
        if (pred === undefined || !pred.nationByRoot.has(signer)) return 'dropped'
        let a = this.approvals.get(target)
        if (a === undefined) this.approvals.set(target, (a = new Map()))
        const prev = a.get(signer)
        if (prev !== undefined && prev <= r.created) return 'dropped'
        a.set(signer, r.created)
        return 'stored'
      }
      case 'SiteCertificate': {
        const body = (r as DecodedRecord<'SiteCertificate'>).body
        if (!this.isRootAnywhere(signer, body.nation)) return { waitFor: `root:${signer}` }
        const key = hex(body.site_key)
        let list = this.certsByKey.get(key)
        if (list === undefined) this.certsByKey.set(key, (list = []))
        list.push({ id: r.id, body, issuer: signer })
        return 'stored'
      }
      case 'Revocation': {
        const body = (r as DecodedRecord<'Revocation'>).body
        const self = body.target_key !== undefined && hex(body.target_key) === signer
        if (self && !this.certsByKey.has(signer)) return { waitFor: `cert:${signer}` }
        if (!self && !this.isRootAnywhere(signer)) return { waitFor: `root:${signer}` }
        const entry = { issuer: signer, effectiveFrom: body.effective_from }
        const map = body.target_key !== undefined ? this.keyRevocations : this.certRevocations
        const k = body.target_key !== undefined ? hex(body.target_key) : body.target!.toString()
        let list = map.get(k)
        if (list === undefined) map.set(k, (list = []))
        list.push(entry)
        return 'stored'
      }
      case 'Retraction': {
        // Bounded memory: only keys holding a stored certificate may leave tombstones; others wait (bounded).
        if (!this.certsByKey.has(signer)) return { waitFor: `cert:${signer}` }
        const target = (r as DecodedRecord<'Retraction'>).body.target.toString()
        let s = this.retractions.get(target)
        if (s === undefined) this.retractions.set(target, (s = new Set()))
        s.add(signer)
        return 'stored'
      }
      default:
        return 'dropped'
    }
  }

  private isRootAnywhere(key: string, nation?: string): boolean {
    for (const c of this.charters.values()) {
      const n = c.nationByRoot.get(key)
      if (n !== undefined && (nation === undefined || n === nation)) return true
    }
    return false
  }

  /** §5.2: walk from the genesis charter through successors that reached quorum; stop at a fork. */
  private recomputeChain(): void {
    const genesis = this.charters.get(this.genesisCharterId)
    this.chain = []
    if (genesis === undefined) return
    this.chain.push({ charter: genesis, effectiveFrom: -Infinity })
    let cur = genesis
    let from = -Infinity
    for (;;) {
      const succ = this.successors.get(cur.id)
      if (succ === undefined || succ.size === 0) return
      if (succ.size > 1) {
        const ids = [...succ].sort()
        const key = `${cur.id}:${ids.join(',')}`
        if (!this.alerted.has(key)) {
          this.alerted.add(key)
          this.alertList.push(`competing successor charters of ${cur.id}: ${ids.join(', ')} — neither takes effect until resolved`)
        }
        return
      }
      const next = this.charters.get([...succ][0]!)!
      const times = new Map<string, number>([[next.proposer, next.created]])
      for (const [k, t] of this.approvals.get(next.id) ?? []) if (cur.nationByRoot.has(k) && !(times.get(k)! <= t)) times.set(k, t)
      const sorted = [...times.values()].sort((a, b) => a - b)
      if (sorted.length < cur.body.quorum) return
      from = Math.max(from, next.created, sorted[cur.body.quorum - 1]!)
      this.chain.push({ charter: next, effectiveFrom: from })
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

  /** Ids of the known successors of a charter (more than one = a fork, spec §5.2). */
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
    const key = hex(siteKey)
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
      if (this.revokedAt(this.keyRevocations.get(key), atMs, c.issuer, key) || this.revokedAt(this.certRevocations.get(c.id), atMs, c.issuer)) {
        revoked = true
        continue
      }
      return { status: 'ok', site: { nation: c.body.nation, roles: c.body.roles, certificateId: c.id } }
    }
    return { status: revoked ? 'revoked' : expired ? 'expired' : 'unknown' }
  }

  private revokedAt(list: RevocationEntry[] | undefined, atMs: number, issuer: string, self?: string): boolean {
    if (list === undefined) return false
    for (const e of list) if (e.effectiveFrom <= atMs && (e.issuer === issuer || e.issuer === self)) return true
    return false
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

  /** §4.5: a record is retracted when its own signer has published a Retraction naming it. */
  isRetracted(record: { id: string; signer: Uint8Array }): boolean {
    return this.retractions.get(record.id)?.has(hex(record.signer)) ?? false
  }

  /** Operator alerts (competing successor charters). */
  alerts(): string[] {
    return [...this.alertList]
  }

  /** Records waiting for a charter, root or certificate this state does not know yet. */
  pendingCount(): number {
    return this.pending.size
  }
}
