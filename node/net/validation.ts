/**
 * The one adapter between the record layer's validation outcomes and gossipsub (specs/network-v1.md §5–§8).
 * For every received message, in this order:
 *   1. [IGNORE peer_not_admitted]  the propagation source has not passed hello (§3) — waiting for a hello that is
 *                                  still running, a few messages per peer;
 *   2. [IGNORE queue_full]         VALIDATION_QUEUE_MAX messages (or _BYTES) already wait, or half of that from
 *                                  this propagation source (§7);
 *   3. the record layer's outcome  (REJECT for faults the sender can see, IGNORE for receiver state);
 *   4. [REJECT wrong_topic]        the record's type belongs on another topic (§4);
 *   5. [IGNORE rate_limited | quota_exceeded] the signer's limit (§7); the propagation source is penalised;
 *   6. durable store (the store group-commits concurrent puts), THEN ACCEPT (§8): nothing is forwarded before it is
 *      on disk; [IGNORE duplicate | tombstoned] when the store already has (or has withdrawn) the record.
 * Each outcome is logged (non-accepts only) and counted in `aip_validation_outcomes_total{topic,action,code}`.
 */
import { TopicValidatorResult } from '@libp2p/gossipsub'
import type { GossipsubMessage } from '@libp2p/gossipsub'
import { Gauge } from 'prom-client'
import type { NodeMetrics } from '../metrics.ts'
import {
  LOG_PER_CODE_PER_WINDOW, LOG_WINDOW_MS, OVER_LIMIT_PENALTY, VALIDATION_QUEUE_MAX, VALIDATION_QUEUE_MAX_BYTES, VALIDATION_QUEUE_PER_PEER_MAX,
} from './constants.ts'
import type { PeerGate } from './gate.ts'
import type { GossipRouter } from './host.ts'
import type { NetLog } from './log.ts'
import type { SignerLimits } from './signer-limits.ts'
import { topicForType } from './topics.ts'

/** The record fields the network layer reads (a structural subset of the record layer's DecodedRecord). */
export interface NetRecord {
  id: string
  type: string
  signer: Uint8Array
  bytes: Uint8Array
  created: number
  body: unknown
}

/** The record layer's Outcome, as the network layer reads it. */
export type NetOutcome =
  | { action: 'accept', code: string, record: NetRecord }
  | { action: 'ignore' | 'reject', code: string, message: string }

export interface ValidationComponents {
  /** Pure validation against the site's current trust state, at time `now`. */
  validate(bytes: Uint8Array, now: number): NetOutcome
  /** Stores a record durably; resolves once it is on disk ('stored') or says why it was not. */
  store(record: NetRecord): Promise<'stored' | 'duplicate' | 'tombstoned'>
  /** Called once per record after it is durable (trust updates, revocation checks, subscribers). */
  accepted(record: NetRecord): void | Promise<void>
  limits: SignerLimits
  log: NetLog
  now(): number
}

export type Verdict = { action: 'accept', code: 'ok', record: NetRecord } | { action: 'ignore' | 'reject', code: string, message: string }

const ACCEPTANCE = { accept: TopicValidatorResult.Accept, ignore: TopicValidatorResult.Ignore, reject: TopicValidatorResult.Reject }

export class GossipValidator {
  private inFlight = 0
  private inFlightBytes = 0
  /** Messages in flight per propagation source: one flooding peer cannot take the whole queue (§7). */
  private readonly perPeer = new Map<string, number>()
  private readonly queueGauge: Gauge
  private readonly logWindows = new Map<string, { start: number, lines: number, suppressed: number }>()
  /** Outcome counts by `action/code`, for status and tests. */
  readonly counts = new Map<string, number>()

  constructor(private readonly c: ValidationComponents, private readonly gate: PeerGate,
    private readonly metrics: Pick<NodeMetrics, 'registry' | 'validationOutcomes'>) {
    this.queueGauge = new Gauge({
      name: 'aip_gossip_validation_queue', help: 'Gossip messages waiting for validation or storage', registers: [metrics.registry],
      collect: () => { this.queueGauge.set(this.inFlight) },
    })
  }

  /** Subscribes to gossipsub's pre-validated messages; every message gets exactly one report. */
  attach(pubsub: GossipRouter): void {
    pubsub.addEventListener('gossipsub:message', (evt) => {
      void this.handle(evt.detail).then((v) => {
        try {
          pubsub.reportMessageValidationResult(evt.detail.msgId, evt.detail.propagationSource.toString(), ACCEPTANCE[v.action])
        } catch (err) {
          // the node is stopping: gossipsub may refuse reports once stopped; the record is stored either way
          this.c.log('report_failed', { error: String(err) })
        }
      })
    })
  }

  /** Validates, limits and durably stores one received gossip message. Never throws. */
  async handle(m: GossipsubMessage): Promise<Verdict> {
    const source = m.propagationSource.toString()
    const topic = m.msg.topic
    let verdict: Verdict
    if (!this.gate.isAdmitted(source) && !(await this.gate.whenAdmitted(source))) {
      verdict = { action: 'ignore', code: 'peer_not_admitted', message: 'propagation source has not passed hello' }
    } else if (this.inFlight >= VALIDATION_QUEUE_MAX || this.inFlightBytes + m.msg.data.length > VALIDATION_QUEUE_MAX_BYTES ||
      (this.perPeer.get(source) ?? 0) >= VALIDATION_QUEUE_PER_PEER_MAX) {
      verdict = { action: 'ignore', code: 'queue_full', message: `${this.inFlight} messages already waiting` }
    } else {
      this.inFlight++
      this.inFlightBytes += m.msg.data.length
      this.perPeer.set(source, (this.perPeer.get(source) ?? 0) + 1)
      try {
        verdict = await this.check(m.msg.data, topic, source)
      } catch (err) {
        verdict = { action: 'ignore', code: 'internal_error', message: String(err) }
      } finally {
        this.inFlight--
        this.inFlightBytes -= m.msg.data.length
        const left = (this.perPeer.get(source) ?? 1) - 1
        if (left === 0) this.perPeer.delete(source)
        else this.perPeer.set(source, left)
      }
    }
    this.count(topic, verdict, source)
    return verdict
  }

  /** Validates and stores a record this site publishes itself (no rate limit: it is the operator's own). */
  async local(bytes: Uint8Array, now: number): Promise<Verdict> {
    const outcome = this.c.validate(bytes, now)
    if (outcome.action !== 'accept') return outcome
    const record = outcome.record
    const stored = await this.c.store(record)
    if (stored === 'tombstoned') return { action: 'ignore', code: 'tombstoned', message: record.id }
    if (stored === 'stored') await this.c.accepted(record)
    return { action: 'accept', code: 'ok', record }
  }

  /**
   * A record pulled from `source` by sync (specs/sync-v1.md): the same checks as gossip — validation, the signer's
   * rate and quota (the excess costs `source` score), durable store — except the topic, which sync does not have.
   */
  async synced(bytes: Uint8Array, source: string): Promise<Verdict> {
    const v = await this.check(bytes, undefined, source).catch((err: unknown): Verdict => ({ action: 'ignore', code: 'internal_error', message: String(err) }))
    this.count('sync', v, source)
    return v
  }

  private async check(data: Uint8Array, topic: string | undefined, source: string): Promise<Verdict> {
    const now = this.c.now()
    const outcome = this.c.validate(data, now)
    if (outcome.action !== 'accept') return outcome
    const record = outcome.record
    if (topic !== undefined && topicForType(record.type) !== topic) {
      return { action: 'reject', code: 'wrong_topic', message: `${record.type} does not belong on ${topic}` }
    }
    const signer = Buffer.from(record.signer).toString('hex')
    const limit = this.c.limits.charge(signer, record.bytes.length, now)
    if (limit !== 'ok') {
      this.gate.penalise(source, OVER_LIMIT_PENALTY)
      return { action: 'ignore', code: limit, message: `signer ${signer.slice(0, 16)}…` }
    }
    const stored = await this.c.store(record)
    if (stored !== 'stored') {
      this.c.limits.refund(signer, record.bytes.length)
      return { action: 'ignore', code: stored, message: record.id }
    }
    await this.c.accepted(record)
    return { action: 'accept', code: 'ok', record }
  }

  private count(topic: string, v: Verdict, source: string): void {
    this.metrics.validationOutcomes.inc({ topic, action: v.action, code: v.code })
    const key = `${v.action}/${v.code}`
    this.counts.set(key, (this.counts.get(key) ?? 0) + 1)
    if (v.action !== 'accept' && v.code !== 'duplicate') this.logSampled(topic, v, source)
  }

  /** At most LOG_PER_CODE_PER_WINDOW lines per code per LOG_WINDOW_MS: a flood must not become a log flood. */
  private logSampled(topic: string, v: Exclude<Verdict, { action: 'accept' }>, source: string): void {
    const now = this.c.now()
    const w = this.logWindows.get(v.code) ?? { start: now, lines: 0, suppressed: 0 }
    if (now - w.start >= LOG_WINDOW_MS) {
      if (w.suppressed > 0) this.c.log('gossip_log_suppressed', { code: v.code, count: w.suppressed })
      w.start = now
      w.lines = 0
      w.suppressed = 0
    }
    this.logWindows.set(v.code, w)
    if (w.lines >= LOG_PER_CODE_PER_WINDOW) {
      w.suppressed++
      return
    }
    w.lines++
    this.c.log('gossip_' + v.action, { topic, code: v.code, peer: source, message: v.message })
  }
}
