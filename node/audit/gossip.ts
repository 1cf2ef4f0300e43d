/**
 * Audit checkpoints and equivocation proofs on gossip (specs/audit-v1.md §7.4, aip-v1 §4.11). A site publishes its
 * own signed checkpoint (with the cosignatures gathered) as an AuditCheckpoint; a witness publishes a checkpoint it
 * cosigned when no AuditCheckpoint of that tree reached it within `witnessGossipDelayMs` (a log showing different
 * views to different witnesses gossips at most one of them). Every site compares each checkpoint it sees with the
 * ones it saw before: two of one log with one size and different roots — or a witness's failed consistency check —
 * become an AuditEquivocation, admitted through the door (which raises the alert) and gossiped to all.
 */
import {
  createRecord, equivocationAlert, equivocationBody, firstRootOfConsistencyProof, formatNote, parseCheckpoint, parseNote, verifyConsistencyProof, verifyLogNote, MerkleProofError,
} from '../../protocol/index.ts'
import type { Checkpoint, DecodedRecord, Note, SigningKey } from '../../protocol/index.ts'
import type { NetLog } from '../net/log.ts'
import type { SiteAudit } from './site-audit.ts'
import type { EquivocationFound } from './witness.ts'

/** Checkpoint sizes remembered per log for the same-size comparison (the newest; older ones are forgotten). */
export const MAX_SEEN_SIZES_PER_LOG = 64
/** Logs whose checkpoints are compared (one map entry each). */
export const MAX_SEEN_LOGS = 4_096
/** Equivocation alerts kept for `aip status` (one per log). */
export const MAX_AUDIT_ALERTS = 64

export interface AuditGossipOptions {
  key: SigningKey
  now: () => number
  log: NetLog
  /** Admits a record this site signed through the door (source `local`) and gossips it (node/net Network.publish). */
  publish?: (bytes: Uint8Array) => Promise<{ action: string; code: string }>
  /** ms a witness waits for the log's own AuditCheckpoint before gossiping the checkpoint it cosigned. */
  witnessGossipDelayMs: number
}

const b64 = (b: Uint8Array) => Buffer.from(b).toString('base64')

export class AuditGossip {
  /** origin → size → the log-signed note seen at that size (in memory; bounded). */
  private readonly seen = new Map<string, Map<number, Note>>()
  /** `origin size root` of every checkpoint seen on gossip (a witness does not repeat those). */
  private readonly gossiped = new Set<string>()
  private readonly timers = new Set<NodeJS.Timeout>()
  /** Origins this site alerted for, and the alert text (a proof's alert replaces a local one). */
  private readonly alerts = new Map<string, string>()
  /** Origins an AuditEquivocation was accepted for. */
  private readonly proven = new Set<string>()
  private lastPublished: string | undefined
  private queue: Promise<unknown> = Promise.resolve()
  publish: AuditGossipOptions['publish']

  constructor(private readonly audit: SiteAudit, private readonly o: AuditGossipOptions) {
    this.publish = o.publish
    audit.witness.onEquivocation = (e) => void this.serial(() => this.witnessFound(e))
    audit.witness.onCosigned = (logKey, note) => void this.serial(() => this.cosigned(logKey, note))
  }

  /** Equivocation alerts of this site, newest last (aip status, the dashboard shows the records themselves). */
  alertList(): string[] {
    return [...this.alerts.values()]
  }

  /** The door stored a record: a checkpoint to compare, or an equivocation proof to act on. */
  stored(record: DecodedRecord): void {
    if (record.type === 'AuditCheckpoint') void this.serial(() => this.observe(record as DecodedRecord<'AuditCheckpoint'>))
    if (record.type === 'AuditEquivocation') void this.serial(() => this.accepted(record as DecodedRecord<'AuditEquivocation'>))
  }

  /** §7.4: publishes this site's latest checkpoint (with its cosignatures) unless that exact note was published. */
  async publishOwn(): Promise<string | undefined> {
    const note = await this.audit.latest()
    if (note === undefined || this.publish === undefined) return undefined
    const text = formatNote(note)
    if (text === this.lastPublished) return undefined
    const r = createRecord('AuditCheckpoint', { log: this.o.key.publicKey, note: text }, this.o.key, this.o.now())
    const v = await this.publish(r.bytes)
    if (v.action === 'accept') this.lastPublished = text
    else this.o.log('audit_publish_failed', { id: r.id, action: v.action, code: v.code })
    return r.id
  }

  async stop(): Promise<void> {
    for (const t of this.timers) clearTimeout(t)
    this.timers.clear()
    await this.queue.catch(() => undefined)
  }

  /** Runs detection steps one at a time (a comparison reads and writes `seen` as one step). */
  private serial(fn: () => Promise<void>): Promise<void> {
    const p = this.queue.then(fn, fn).catch((err: unknown) => this.o.log('audit_gossip_failed', { err: String(err) }))
    this.queue = p
    return p
  }

  /** §7.4: compares a checkpoint with the one of the same size seen before; remembers it; returns the checkpoint. */
  private async compare(logKey: Uint8Array, noteText: string): Promise<Checkpoint> {
    const { note, checkpoint: cp } = verifyLogNote(logKey, noteText, 'note')
    if (this.gossiped.size >= MAX_SEEN_LOGS * 4) this.gossiped.clear() // a bound; the cost is one extra witness record
    this.gossiped.add(`${cp.origin} ${cp.size} ${b64(cp.root)}`)
    let sizes = this.seen.get(cp.origin)
    if (sizes === undefined) {
      if (this.seen.size >= MAX_SEEN_LOGS) this.seen.delete(this.seen.keys().next().value!)
      this.seen.set(cp.origin, (sizes = new Map()))
    }
    const before = sizes.get(cp.size)
    if (before === undefined) {
      sizes.set(cp.size, note)
      if (sizes.size > MAX_SEEN_SIZES_PER_LOG) sizes.delete(Math.min(...sizes.keys()))
      return cp
    }
    if (Buffer.compare(parseCheckpoint(before.text).root, cp.root) === 0) return cp
    // audit-v1 §7.3: one size, two roots — the two notes alone prove it
    this.o.log('audit_equivocation', { origin: cp.origin, size: cp.size, how: 'same size, different roots' })
    await this.audit.witness.recordEquivocation(cp.origin, formatNote(before), noteText)
    await this.prove(equivocationBody(logKey, before, note), cp.origin)
    return cp
  }

  private async observe(r: DecodedRecord<'AuditCheckpoint'>): Promise<void> {
    await this.compare(r.body.log, r.body.note)
  }

  /** After a cosignature: compare, then gossip the note if the log's own AuditCheckpoint does not show up. */
  private async cosigned(logKey: Uint8Array, noteText: string): Promise<void> {
    const cp = await this.compare(logKey, noteText)
    const view = `${cp.origin} ${cp.size} ${b64(cp.root)}`
    this.gossiped.delete(view)
    const t = setTimeout(() => {
      this.timers.delete(t)
      if (this.gossiped.has(view) || this.publish === undefined) return
      // one witness view on the wire per tree; created by this witness, with the log's signature and this witness's
      const r = createRecord('AuditCheckpoint', { log: logKey, note: noteText }, this.o.key, this.o.now())
      void this.publish(r.bytes).catch((err: unknown) => this.o.log('audit_publish_failed', { id: r.id, err: String(err) }))
    }, this.o.witnessGossipDelayMs)
    t.unref()
    this.timers.add(t)
  }

  /** The witness's consistency check failed (§7.2 step 3): gossip the proof when the log's answer makes one. */
  private async witnessFound(e: EquivocationFound): Promise<void> {
    this.o.log('audit_equivocation', { origin: e.origin, how: 'a cosign request inconsistent with the last cosigned checkpoint' })
    const [a, b] = [parseNote(e.a), parseNote(e.b)]
    const [ca, cb] = [parseCheckpoint(a.text), parseCheckpoint(b.text)]
    const [sa, sb] = [ca.size, cb.size]
    if (sa === sb) return this.prove(equivocationBody(e.logKey, a, b), e.origin)
    if (e.proof === undefined || sa > sb || sa === 0) return this.localAlert(e.origin)
    const [rootA, rootB] = [ca.root, cb.root]
    try {
      // §7.3 across sizes: the log's own proof shows b's first sa entries; they are not a's
      const prefix = firstRootOfConsistencyProof(sa, sb, e.proof)
      if (prefix === undefined || Buffer.compare(prefix, rootA) === 0) return this.localAlert(e.origin)
      verifyConsistencyProof(sa, sb, e.proof, prefix, rootB)
      return this.prove(equivocationBody(e.logKey, a, b, { root: prefix, proof: [...e.proof] }), e.origin)
    } catch (err) {
      if (err instanceof MerkleProofError) return this.localAlert(e.origin)
      throw err
    }
  }

  /** An inconsistency this site saw but cannot prove to others (the log gave no usable proof): an alert here only. */
  private async localAlert(origin: string): Promise<void> {
    this.raise(origin, `audit log ${origin} sent a checkpoint inconsistent with the one this site cosigned (no transferable proof; audit-v1 §7.3)`)
  }

  private async prove(body: ReturnType<typeof equivocationBody>, origin: string): Promise<void> {
    if (this.proven.has(origin)) return // a proof for this log is already here
    const r = createRecord('AuditEquivocation', body, this.o.key, this.o.now())
    if (this.publish === undefined) return this.raise(origin, equivocationAlert(body, r.id))
    const v = await this.publish(r.bytes)
    if (v.action !== 'accept') {
      this.o.log('audit_publish_failed', { id: r.id, action: v.action, code: v.code })
      this.raise(origin, equivocationAlert(body, r.id))
    }
  }

  /** An accepted AuditEquivocation (ours or a peer's): alert, and never cosign that log again (§7.3). */
  private async accepted(r: DecodedRecord<'AuditEquivocation'>): Promise<void> {
    const origin = parseCheckpoint(parseNote(r.body.a).text).origin
    if (this.proven.has(origin)) return
    this.proven.add(origin)
    // the witness refuses the log before the alert shows (whoever reads the alert may rely on it)
    await this.audit.witness.recordEquivocation(origin, r.body.a, r.body.b)
    this.alerts.delete(origin)
    this.raise(origin, equivocationAlert(r.body, r.id))
  }

  private raise(origin: string, alert: string): void {
    if (this.alerts.has(origin) || this.alerts.size >= MAX_AUDIT_ALERTS) return
    this.alerts.set(origin, alert)
    this.o.log('audit_alert', { level: 'warn', alert })
  }
}
