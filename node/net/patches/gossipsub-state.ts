/**
 * Two resets of @libp2p/gossipsub's per-peer state that it offers no API for, made when both sides have admitted
 * each other (specs/network-v1.md §3 rule H1; node/net/gate.ts `meshReady`):
 *
 * - `gossipsubBackoff`: a PRUNE backoff set in an earlier session (the peer restarted, and its PRUNE on the way out
 *   set it) would keep a freshly admitted peer out of the mesh for a minute. Deletes the peer from `backoff`
 *   (Map<topic, Map<peerId, expiry>>).
 * - `gossipsubScoreCache`: gossipsub caches a peer's score for one heartbeat; dropping the pending score cached
 *   before admission lets the peer get the records published right after it (flood publishing reads the score).
 *   Deletes the peer from `score.scoreCache` (Map<peerId, …>).
 *
 * Without either, the mesh and the first records only come later (up to a minute, one heartbeat): nothing breaks.
 */
import { patchEnabled } from './state.ts'

interface GossipsubPrivates { backoff?: unknown; score?: { scoreCache?: unknown } }

/** Self-check against the live router: what is missing, or undefined. */
export function checkGossipsubBackoff(pubsub: unknown): string | undefined {
  return (pubsub as GossipsubPrivates).backoff instanceof Map ? undefined : 'gossipsub has no `backoff` Map'
}

export function checkGossipsubScoreCache(pubsub: unknown): string | undefined {
  return (pubsub as GossipsubPrivates).score?.scoreCache instanceof Map ? undefined : 'gossipsub has no `score.scoreCache` Map'
}

export function forgetBackoff(pubsub: unknown, peerId: string): void {
  if (!patchEnabled('gossipsubBackoff')) return
  for (const perTopic of ((pubsub as GossipsubPrivates).backoff as Map<string, Map<string, number>>).values()) perTopic.delete(peerId)
}

export function forgetCachedScore(pubsub: unknown, peerId: string): void {
  if (!patchEnabled('gossipsubScoreCache')) return
  ((pubsub as GossipsubPrivates).score!.scoreCache as Map<string, unknown>).delete(peerId)
}
