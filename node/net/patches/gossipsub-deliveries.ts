/**
 * `gossipsubDeliveryWindow`: @libp2p/gossipsub's peer score keeps one delivery record per message (status, first
 * seen, the peers that sent it, and a queue entry) for `TimeCacheDuration`, a constant 2 minutes, whatever seenTTL
 * says. Under a flood that is most of what a site holds per record (~0.3 KB; 2 min of 1,600 records/s ≈ 190,000 of
 * them). This replaces the instance's `score.deliveryRecords.gc` so records older than SEEN_TTL_MS go (network-v1
 * §7.1 rule 5): still far longer than any validation may take (VALIDATION_QUEUE_MAX_WAIT_MS plus a synced batch), so
 * every outcome finds its record and P4 is charged exactly as before; only P3 (mesh deliveries, weight 0 in §6) would
 * have read a record later. Touches `score.deliveryRecords.{records (Map), queue (Denque: peekFront, shift)}` and the
 * queue entries' `{ msgId, expire }`, expire being creation + TimeCacheDuration.
 *
 * Without it, delivery records live 2 minutes: more memory under a flood, nothing else.
 */
import { patchEnabled } from './state.ts'

/** @libp2p/gossipsub 17.1.1 constants.ts TimeCacheDuration: the entries' `expire` is their creation plus this. */
const TIME_CACHE_DURATION_MS = 120_000

interface Entry { msgId: string; expire: number }
interface Deliveries { records: Map<string, unknown>; queue: { peekFront(): Entry | undefined; shift(): unknown }; gc(): void }

function deliveriesOf(pubsub: unknown): Deliveries | undefined {
  return (pubsub as { score?: { deliveryRecords?: Deliveries } }).score?.deliveryRecords
}

/** Self-check against the live router: what is missing, or undefined. */
export function checkGossipsubDeliveries(pubsub: unknown): string | undefined {
  const d = deliveriesOf(pubsub)
  if (d === undefined || !(d.records instanceof Map) || typeof d.gc !== 'function') return 'gossipsub has no `score.deliveryRecords` with a `records` Map and `gc`'
  if (typeof d.queue?.peekFront !== 'function' || typeof d.queue.shift !== 'function') return 'gossipsub\'s delivery records have no `queue` with peekFront/shift'
  return undefined
}

/** Keeps the router's delivery records for `windowMs` instead of 2 minutes (checked first: see checkRouterPatches). */
export function installDeliveryWindow(pubsub: unknown, windowMs: number): void {
  if (!patchEnabled('gossipsubDeliveryWindow')) return
  const d = deliveriesOf(pubsub)!
  const early = TIME_CACHE_DURATION_MS - windowMs
  d.gc = function gc(this: Deliveries): void {
    const cutoff = Date.now() + early
    for (let head = this.queue.peekFront(); head !== undefined && head.expire < cutoff; head = this.queue.peekFront()) {
      this.records.delete(head.msgId)
      this.queue.shift()
    }
  }
}
