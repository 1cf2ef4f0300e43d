/**
 * The one adapter between the door's outcomes and gossipsub (specs/network-v1.md §5–§8): every received message goes
 * through the site's door (node/records/door.ts, source `gossip`, its topic and propagation source) — queue, hello
 * wait, validation, topic, signer limits, durable store — and its outcome becomes gossipsub's accept/ignore/reject.
 * Each gossip outcome is logged (non-accepts only, sampled) and counted in `aip_validation_outcomes_total{topic,…}`.
 */
import { TopicValidatorResult } from '@libp2p/gossipsub'
import type { GossipsubMessage } from '@libp2p/gossipsub'
import { Gauge } from 'prom-client'
import type { NodeMetrics } from '../metrics.ts'
import type { AdmitOutcome, RecordDoor } from '../records/index.ts'
import { LOG_PER_CODE_PER_WINDOW, LOG_WINDOW_MS } from './constants.ts'
import type { GossipRouter } from './host.ts'
import type { NetLog } from './log.ts'

/** The record fields the network layer reads (a structural subset of the record layer's DecodedRecord). */
export interface NetRecord {
  id: string
  type: string
  signer: Uint8Array
  bytes: Uint8Array
  created: number
  body: unknown
}

const ACCEPTANCE = { accept: TopicValidatorResult.Accept, ignore: TopicValidatorResult.Ignore, reject: TopicValidatorResult.Reject }

export class GossipValidator {
  private readonly queueGauge: Gauge
  private readonly logWindows = new Map<string, { start: number, lines: number, suppressed: number }>()
  /** Gossip outcome counts by `action/code`, for status and tests. */
  readonly counts = new Map<string, number>()

  constructor(private readonly door: RecordDoor, private readonly log: NetLog, private readonly now: () => number,
    metrics: Pick<NodeMetrics, 'registry'>) {
    this.queueGauge = new Gauge({
      name: 'aip_gossip_validation_queue', help: 'Records from peers waiting for validation or storage', registers: [metrics.registry],
      collect: () => { this.queueGauge.set(this.door.queues.length) },
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
          this.log('report_failed', { error: String(err) })
        }
      })
    })
  }

  /** One received gossip message through the door. Never throws. */
  async handle(m: GossipsubMessage): Promise<AdmitOutcome> {
    const peer = m.propagationSource.toString()
    const outcome = await this.door.admit(m.msg.data, { via: 'gossip', peer, topic: m.msg.topic })
    const key = `${outcome.action}/${outcome.code}`
    this.counts.set(key, (this.counts.get(key) ?? 0) + 1)
    if (outcome.action !== 'accept' && outcome.code !== 'duplicate') this.logSampled(m.msg.topic, outcome, peer)
    return outcome
  }

  /** At most LOG_PER_CODE_PER_WINDOW lines per code per LOG_WINDOW_MS: a flood must not become a log flood. */
  private logSampled(topic: string, v: AdmitOutcome, source: string): void {
    const now = this.now()
    const w = this.logWindows.get(v.code) ?? { start: now, lines: 0, suppressed: 0 }
    if (now - w.start >= LOG_WINDOW_MS) {
      if (w.suppressed > 0) this.log('gossip_log_suppressed', { code: v.code, count: w.suppressed })
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
    this.log('gossip_' + v.action, { topic, code: v.code, peer: source, message: v.message })
  }
}
