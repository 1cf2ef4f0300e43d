/**
 * The one door by which a record gets into a site (issue 11): gossip, sync, hello, the local API, `aip import` /
 * `publish` and local publishing all call `admit(bytes, source)`, and get one outcome (node/records/outcome.ts).
 * In this order:
 *   1. [IGNORE queue_full]        a peer's record takes a slot in its family's queue and its peer's share (network-v1 §7);
 *                                 gossip past the site's capacity is shed, at arrival or at its turn (§7.1);
 *   2. [IGNORE peer_not_admitted] a gossip record whose peer is still in hello waits for it, inside the budget (§6);
 *   3. the record layer's outcome (aip-v1 §6: duplicate first, then decoding, signature, trust);
 *   4. [REJECT wrong_topic]       gossip: the type belongs on another topic; hello: not one of its four types (§3, §4);
 *   5. [IGNORE rate_limited | quota_exceeded] a peer's record whose signer is over its limit (§7) — no penalty for
 *                                 the peer that relayed it;
 *   6. durable store, with the withdrawals the record causes in the same batch (aip-v1 §4.4, §4.5) —
 *      [IGNORE duplicate | tombstoned];
 *   7. effects: the trust state, then one `stored` event (sync index, metrics, gate, announcer subscribe to it).
 * The same bytes get the same outcome and code by every entrance (test/node/records/entrances.test.ts).
 */
import { MAX_ENVELOPE_BYTES, MAX_TRUST_PENDING, TRUST_TYPES, decodeRecord, equivocationAlert, isFederationType, parseEnvelope, recordId, recordTypeOf, validateRecord } from '../../protocol/index.ts'
import type { DecodedRecord, Outcome, TrustState } from '../../protocol/index.ts'
import type { SignerLimits } from '../net/signer-limits.ts'
import { topicForType, TOPIC_ALIGNMENT, TOPIC_FEDERATION } from '../net/topics.ts'
import type { RecordStore, TombstoneSpec } from '../store/store.ts'
import { loadTrust } from '../store/trust.ts'
import type { AdmitCode, AdmitOutcome, Source } from './outcome.ts'
import { duplicateRefusal, releaseRefusal } from './releasability.ts'
import type { ShareKeeps } from './releasability.ts'
import { fromPeer } from './outcome.ts'
import type { Family, QueueOptions, Ticket } from './queues.ts'
import { ValidationQueues } from './queues.ts'

/** A record the door stored, and the entrance it came by. */
export interface StoredEvent {
  record: DecodedRecord
  source: Source
}

/** Whether peers passed hello (the network's gate; absent when no network runs). */
export interface PeerAdmission {
  isAdmitted(peer: string): boolean
  whenAdmitted(peer: string): Promise<boolean>
}

export interface DoorOptions {
  /** Clock, ms since the Unix epoch (default Date.now). */
  now?: () => number
  /** Per-signer rate and quota, charged for records from peers (network-v1 §7). Default: none. */
  limits?: SignerLimits
  /** The validation queues' budgets (network-v1 §7, §7.1). Default: the spec's. */
  queues?: QueueOptions
}

type Listener<T> = (event: T) => void

/** A tiny typed emitter: each event has one payload type. */
class Events<M extends Record<string, unknown>> {
  private readonly listeners = new Map<keyof M, Array<Listener<never>>>()
  on<K extends keyof M>(name: K, fn: Listener<M[K]>): () => void {
    const list = this.listeners.get(name) ?? []
    list.push(fn as Listener<never>)
    this.listeners.set(name, list)
    return () => this.listeners.set(name, (this.listeners.get(name) ?? []).filter((l) => l !== fn))
  }

  has(name: keyof M): boolean {
    return (this.listeners.get(name)?.length ?? 0) > 0
  }

  /** Calls every listener; one that throws does not stop the others nor change the admission's outcome. */
  emit<K extends keyof M>(name: K, event: M[K]): void {
    for (const fn of this.listeners.get(name) ?? []) {
      try {
        (fn as Listener<M[K]>)(event)
      } catch (err) {
        process.emitWarning(`a ${String(name)} listener failed: ${String(err)}`)
      }
    }
  }
}

export interface DoorEvents extends Record<string, unknown> {
  /** A record was durably stored and applied. */
  stored: StoredEvent
  /** A stored record was withdrawn, or a put was refused by a tombstone naming its own signer (sync-v1 §2). */
  withdrawn: { id: string }
  /** Every admission's outcome (metrics, logs). */
  outcome: { outcome: AdmitOutcome; source: Source }
  /** A new operator alert: from the trust state (competing charters, aip-v1 §5.2), or an accepted AuditEquivocation (aip-v1 §4.11). */
  alert: { alert: string; kind: 'trust' | 'audit' }
}

/**
 * The door's duplicate lookups (step 3: "duplicate first"), one per record, read from the store in batches: the
 * lookups asked while a read is in flight wait for it and then go together in one `hasMany` (the store's held filter
 * answers new records without a read; the rest are one getMany) — one native call and one
 * thread-pool round trip for a burst of records instead of one each (a point read cost ~3× a batched one's CPU; issue 17).
 */
class KnownIds {
  private asked: string[] = []
  private answers: Array<{ resolve: (known: boolean) => void; reject: (err: unknown) => void }> = []
  private reading = false

  constructor(private readonly store: RecordStore) {}

  has(id: string): Promise<boolean> {
    return new Promise<boolean>((resolve, reject) => {
      this.asked.push(id)
      this.answers.push({ resolve, reject })
      if (!this.reading) {
        this.reading = true
        queueMicrotask(() => void this.read())
      }
    })
  }

  private async read(): Promise<void> {
    while (this.asked.length > 0) {
      const ids = this.asked
      const answers = this.answers
      this.asked = []
      this.answers = []
      try {
        const known = await this.store.hasMany(ids)
        for (let i = 0; i < answers.length; i++) answers[i]!.resolve(known[i]!)
      } catch (err) {
        for (const a of answers) a.reject(err)
      }
    }
    this.reading = false
  }
}

/** `isKnown` of a record the door found stored (it asks only for that record's own ID). */
const KNOWN = (): boolean => true
const NO_WITHDRAWALS: { tombstones: TombstoneSpec[]; placed: DecodedRecord[] } = Object.freeze({ tombstones: [], placed: [] }) as never

/** The record types that make the charter chain (aip-v1 §5.2). */
const CHAIN_TYPES: readonly string[] = ['FederationCharter', 'CharterApproval']

const ok = (record: DecodedRecord): AdmitOutcome => ({ action: 'accept', code: 'ok', id: record.id, record })
const ignore = (code: AdmitCode, message: string, id?: string): AdmitOutcome => ({ action: 'ignore', code, message, id })
const hex = (b: Uint8Array): string => Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString('hex')

/** The signer key an envelope names (unverified), or undefined when it does not parse. */
function kidOf(bytes: Uint8Array): Uint8Array | undefined {
  try {
    return parseEnvelope(bytes).kid
  } catch {
    return undefined
  }
}

/** The family (and so the queue) of a record: its gossip topic's, or — before decoding — its content type's. */
function familyOf(bytes: Uint8Array, source: Source): Family {
  let topic: string | undefined
  if (source.via === 'gossip') topic = source.topic
  else {
    try {
      const type = recordTypeOf(parseEnvelope(bytes).contentType)
      topic = type === undefined ? undefined : topicForType(type)
    } catch {
      topic = undefined // undecodable: the results queue judges it (cheaply)
    }
  }
  return topic === TOPIC_FEDERATION ? 'federation' : topic === TOPIC_ALIGNMENT ? 'alignment' : 'results'
}

export class RecordDoor {
  readonly queues: ValidationQueues
  /** Outcome counts by `action/code`, every entrance (status, tests). */
  readonly counts = new Map<string, number>()
  private readonly events = new Events<DoorEvents>()
  private peers?: PeerAdmission
  private readonly now: () => number
  /** Federation records fed to the trust state without being stored (IGNOREd), until it places them (fault 8). */
  private readonly unstored = new Map<string, DecodedRecord>()
  /** The stored charters and approvals: what a scratch trust state needs to judge a hello (network-v1 §3 H5). */
  private readonly chain = new Map<string, DecodedRecord>()

  private readonly known: KnownIds

  constructor(readonly store: RecordStore, readonly trust: TrustState, private readonly opts: DoorOptions = {}) {
    this.now = opts.now ?? Date.now
    this.queues = new ValidationQueues(opts.queues)
    this.known = new KnownIds(store)
  }

  /** The door of a store, with the trust state its records establish under the pinned genesis charter. */
  static async open(store: RecordStore, genesisCharterId: string, opts: DoorOptions = {}): Promise<RecordDoor> {
    const door = new RecordDoor(store, await loadTrust(store, genesisCharterId), opts)
    for (const type of CHAIN_TYPES) {
      for await (const info of store.list({ type })) {
        const bytes = await store.get(info.id)
        const o = bytes === undefined ? undefined : decodeRecord(bytes)
        if (o?.action === 'accept') door.chain.set(o.record.id, o.record)
      }
    }
    return door
  }

  /** The charters and approvals this site has stored (network-v1 §3 H5: a scratch trust state starts from them). */
  charterChain(): Iterable<DecodedRecord> {
    return this.chain.values()
  }

  on<K extends keyof DoorEvents>(name: K, fn: Listener<DoorEvents[K]>): () => void {
    return this.events.on(name, fn)
  }

  private shareKeeps?: ShareKeeps

  /** alignment-v1 O4: the share service's answer to "may this fetched chunk be kept?" (without one: never). */
  bindShare(keeps: ShareKeeps): void {
    this.shareKeeps = keeps
  }

  /** The network's gate, once it runs: gossip from a peer still in hello waits for it (network-v1 §6 step 1). */
  bindPeers(peers: PeerAdmission): void {
    this.peers = peers
  }

  /** Admits one record by one entrance. Never throws. */
  async admit(bytes: Uint8Array, source: Source): Promise<AdmitOutcome> {
    let outcome: AdmitOutcome
    try {
      outcome = fromPeer(source) && source.via !== 'hello' ? await this.queued(bytes, source) : await this.pipeline(bytes, source)
    } catch (err) {
      outcome = ignore('internal_error', String(err))
    }
    const key = `${outcome.action}/${outcome.code}`
    this.counts.set(key, (this.counts.get(key) ?? 0) + 1)
    if (this.events.has('outcome')) this.events.emit('outcome', { outcome, source })
    return outcome
  }

  /** Steps 1–2: a peer's record waits in its family's queue (and, for gossip, for its peer's hello). */
  private async queued(bytes: Uint8Array, source: Extract<Source, { peer: string }>): Promise<AdmitOutcome> {
    // network-v1 §7.1 rule 1: gossip that could not start within the maximum wait is shed at arrival
    const ticket = this.queues.reserve(familyOf(bytes, source), bytes.length, source.peer, source.via === 'gossip')
    if (typeof ticket === 'string') return ignore('queue_full', ticket)
    try {
      // (an admitted peer's record goes on at once: no promise, no microtask)
      const peers = this.peers
      const hello = source.via !== 'gossip' || peers === undefined || peers.isAdmitted(source.peer) ? 'passed' : await this.helloPassed(peers, source.peer, ticket)
      if (hello === 'full') return ignore('queue_full', 'the bytes waiting for peers\' hellos are at PENDING_PEERS_MAX_BYTES')
      if (hello === 'refused') return ignore('peer_not_admitted', 'propagation source has not passed hello')
      // network-v1 §7.1: gossip that waited past VALIDATION_QUEUE_MAX_WAIT_MS is shed (IGNORE, no penalty); sync recovers it
      if (source.via === 'gossip') return await ticket.run(() => this.pipeline(bytes, source, ticket), (ms) => ignore('queue_full', `shed: waited ${Math.round(ms)} ms for validation`))
      return await ticket.run(() => this.pipeline(bytes, source))
    } finally {
      ticket.release()
    }
  }

  /** network-v1 §6 step 1: waits for a not-yet-admitted peer's hello, holding the record's bytes inside PENDING_PEERS_MAX_BYTES. */
  private async helloPassed(peers: PeerAdmission, peer: string, ticket: Ticket): Promise<'passed' | 'refused' | 'full'> {
    if (!ticket.pending()) return 'full'
    try {
      return (await peers.whenAdmitted(peer)) ? 'passed' : 'refused'
    } finally {
      ticket.admitted()
    }
  }

  /** Steps 3–7. */
  private async pipeline(bytes: Uint8Array, source: Source, shedding?: Pick<Ticket, 'late'>): Promise<AdmitOutcome> {
    if (bytes.length > MAX_ENVELOPE_BYTES) return { action: 'reject', code: 'oversize', message: `envelope of ${bytes.length} bytes exceeds ${MAX_ENVELOPE_BYTES}` }
    const id = recordId(bytes)
    const known = await this.known.has(id)
    // [IGNORE queue_full] network-v1 §7.1 rule 2: gossip whose turn to be validated comes past the maximum wait (a
    // slot was free, but the reads and synced batches ahead of it were not) is shed before it costs a verification
    const waited = known ? undefined : shedding?.late()
    if (waited !== undefined) return ignore('queue_full', `shed: waited ${Math.round(waited)} ms for validation`, id)
    const limits = fromPeer(source) ? this.opts.limits : undefined
    /** The signer's key in hex, once (the limits' key): read from the protected header before the verify. */
    let kidHex: string | undefined
    if (limits !== undefined && !known) {
      // [IGNORE rate_limited | quota_exceeded] network-v1 §7 step 3a: a signer already over its limit costs no
      // signature check — its key is read from the protected header; nothing is charged until a record verifies
      const kid = kidOf(bytes)
      kidHex = kid === undefined ? undefined : hex(kid)
      const over = kidHex === undefined ? 'ok' : limits.peek(kidHex, bytes.length, this.now())
      if (over !== 'ok') return ignore(over, `signer ${kidHex!.slice(0, 16)}… over its limit (not verified)`, id)
    }
    const outcome = validateRecord(bytes, { now: this.now(), trust: this.trust, isKnown: known ? KNOWN : undefined, id })
    if (outcome.action !== 'accept') {
      // [REJECT restricted_content] alignment-v1 O1, also for a restricted chunk this site already holds
      if (outcome.code === 'duplicate') {
        const refused = duplicateRefusal(bytes, source, this.now())
        if (refused !== undefined) return refused
      }
      // a hello's records reach the door only once its certificate has passed (network-v1 §3 H5 before H3)
      this.observe(outcome)
      return { action: outcome.action, code: outcome.code, message: outcome.message, id }
    }
    const record = outcome.record
    // [REJECT wrong_topic] network-v1 §4 (gossip) and §3 (a hello carries the federation family only)
    if (source.via === 'gossip' && topicForType(record.type) !== source.topic) {
      return { action: 'reject', code: 'wrong_topic', message: `${record.type} does not belong on ${source.topic}`, id }
    }
    if (source.via === 'hello' && !isFederationType(record.type)) {
      return { action: 'reject', code: 'wrong_topic', message: `a hello does not carry ${record.type}`, id }
    }
    // [REJECT restricted_content | not_in_audience] [IGNORE embargoed] alignment-v1 O1, O2, O4
    const released = releaseRefusal(record, source, this.now(), this.shareKeeps)
    if (released !== undefined) return released
    let signer: string | undefined
    if (limits !== undefined) {
      // the record's signer is the kid its envelope names (aip-v1 §3.2): the hex read before the verify, if any
      signer = kidHex ?? hex(record.signer)
      // [IGNORE rate_limited | quota_exceeded] network-v1 §7; never a penalty for the relay (§6 rule S2)
      const verdict = limits.charge(signer, bytes.length, this.now())
      if (verdict !== 'ok') return ignore(verdict, `signer ${signer.slice(0, 16)}…`, id)
    }
    // only a Retraction or a Revocation withdraws anything (no lookup, no promise, for any other record)
    const { tombstones, placed } = record.type === 'Retraction' || record.type === 'Revocation' ? await this.withdrawals(record) : NO_WITHDRAWALS
    const { result, withdrawn } = await this.store.putWith(record, tombstones, this.now())
    if (result !== 'stored') {
      if (signer !== undefined) limits!.refund(signer, bytes.length)
      if (result === 'tombstoned') {
        this.events.emit('withdrawn', { id })
        return ignore('tombstoned', 'retracted or erased at this site', id)
      }
      return ignore('duplicate', `already stored: ${id}`, id)
    }
    this.unstored.delete(id)
    if (CHAIN_TYPES.includes(record.type)) this.chain.set(id, record)
    for (const w of withdrawn) this.events.emit('withdrawn', { id: w })
    this.events.emit('stored', { record, source })
    // audit-v1 §7.3: an accepted equivocation proof is an operator alert on every site
    if (record.type === 'AuditEquivocation') this.events.emit('alert', { alert: equivocationAlert((record as DecodedRecord<'AuditEquivocation'>).body, id), kind: 'audit' })
    if (TRUST_TYPES.has(record.type)) await this.feed(record, true, placed)
    return ok(record)
  }

  /** aip-v1 §5.7: a federation record IGNOREd after the stateless checks still feeds the trust state (not stored). */
  private observe(outcome: Outcome): void {
    if (outcome.action !== 'ignore' || outcome.record === undefined || !TRUST_TYPES.has(outcome.record.type)) return
    if (outcome.code === 'duplicate') return
    if (this.unstored.size >= MAX_TRUST_PENDING) this.unstored.delete(this.unstored.keys().next().value!)
    this.unstored.set(outcome.record.id, outcome.record)
    void this.feed(outcome.record, false)
  }

  /**
   * Applies a record to the trust state; raises its new alerts; re-admits the buffered records that a stored record
   * placed (aip-v1 §5.7) — re-validated, stored and announced like any other.
   */
  private async feed(record: DecodedRecord, stored: boolean, already: DecodedRecord[] = []): Promise<void> {
    const alerts = this.trust.alerts().length
    const placed = [...already, ...this.trust.apply(record)].filter((r) => r.id !== record.id)
    // A stored charter or approval may put a charter in effect, and so validate a record placed earlier but not yet
    // valid then: look again at the records that were fed without being stored.
    if (stored && CHAIN_TYPES.includes(record.type)) {
      for (const r of this.unstored.values()) {
        if (r.id !== record.id && !placed.some((p) => p.id === r.id) && validateRecord(r.bytes, { now: Number.MAX_SAFE_INTEGER, trust: this.trust }).action === 'accept') placed.push(r)
      }
    }
    for (const alert of this.trust.alerts().slice(alerts)) this.events.emit('alert', { alert, kind: 'trust' })
    // aip-v1 §5.7 (fault 8): a buffered record placed now is re-validated and stored like any other
    for (const r of placed) {
      this.unstored.delete(r.id)
      await this.admit(r.bytes, { via: 'placed' })
    }
  }

  /**
   * aip-v1 §4.4, §4.5: the tombstones a record writes in its own batch. A Retraction withdraws its target when the
   * target has the Retraction's signer (the store checks, and never withdraws a federation record). A Revocation
   * withdraws exactly the records whose signer's status at their `created` it changes from valid to not: not those
   * a foreign root's revocation leaves valid, not those already invalid (e.g. on transient fork state).
   */
  private async withdrawals(record: DecodedRecord): Promise<{ tombstones: TombstoneSpec[]; placed: DecodedRecord[] }> {
    if (record.type === 'Retraction') {
      const body = record.body as { target: { toString(): string }; reason: string }
      return { tombstones: [{ id: body.target.toString(), reason: `retracted by ${record.id}: ${body.reason}`.slice(0, 512), signer: record.signer }], placed: [] }
    }
    if (record.type !== 'Revocation') return { tombstones: [], placed: [] }
    const revocation = record as DecodedRecord<'Revocation'>
    // applied before the batch, so the trust state can say which records it withdraws (idempotent)
    const placed = this.trust.apply(revocation)
    const key = this.trust.revokedKey(revocation)
    if (key === undefined) return { tombstones: [], placed }
    const tombstones: TombstoneSpec[] = []
    for await (const info of this.store.list({ signer: key, since: revocation.body.effective_from })) {
      if (this.trust.revocationEffect(revocation, info)) tombstones.push({ id: info.id, reason: `withdrawn: signer revoked by ${record.id}`, signer: key })
    }
    return { tombstones, placed }
  }
}
