/**
 * `gossipsubMcacheBudget`: @libp2p/gossipsub's message cache holds every message of its window (`mcacheLength`
 * heartbeats) whatever their number, so its memory grows with the arrival rate: a flood at twice a site's capacity
 * fills it with messages the site will shed anyway. This bounds it by bytes (network-v1 §7.1 rule 5, the budget of
 * §7.1): each entry counts its data plus `MCACHE_ENTRY_OVERHEAD_BYTES`, and past `MCACHE_MAX_BYTES` the oldest
 * entries go first — exactly as if their window had ended: an IWANT for one is not answered, and one validated later
 * is stored but not forwarded (§6: it reaches the other sites by sync). Touches the instance's `mcache`: wraps its
 * `put`, `remove` and `shift`, and deletes from its `msgs` Map (adjusting `notValidatedCount`, as `shift` does).
 * The history's stale ids are harmless: `shift` and `getGossipIDs` skip ids no longer in `msgs`.
 *
 * Without it, the cache holds the whole window: more memory under a flood, nothing else.
 */
import { patchEnabled } from './state.ts'

interface Entry { message: { data?: Uint8Array }; validated: boolean }
interface Cache {
  msgs: Map<string, Entry>
  history: Array<Array<{ msgIdStr: string }>>
  notValidatedCount: number
  put(id: { msgIdStr: string }, msg: { data?: Uint8Array }, validated?: boolean): boolean
  remove(msgId: string): Entry | null
  shift(): void
}

function cacheOf(pubsub: unknown): Cache | undefined {
  return (pubsub as { mcache?: Cache }).mcache
}

/** Self-check against the live router: what is missing, or undefined. */
export function checkGossipsubMcache(pubsub: unknown): string | undefined {
  const c = cacheOf(pubsub)
  if (c === undefined || !(c.msgs instanceof Map) || !Array.isArray(c.history)) return 'gossipsub has no `mcache` with a `msgs` Map and a `history` array'
  if (typeof c.put !== 'function' || typeof c.remove !== 'function' || typeof c.shift !== 'function') return 'gossipsub\'s mcache has no put/remove/shift'
  if (typeof c.notValidatedCount !== 'number') return 'gossipsub\'s mcache has no `notValidatedCount`'
  return undefined
}

/** What the budget holds now (bytes counted, entries), for the benchmark's memory breakdown. */
export interface McacheBudget { bytes: number; entries: number; evicted: number }

/**
 * Bounds the router's message cache to `maxBytes`, each entry costing its data plus `overheadBytes` (checked first:
 * see checkRouterPatches). Returns the live figures, or undefined when the patch is disabled.
 */
export function installMcacheBudget(pubsub: unknown, maxBytes: number, overheadBytes: number): McacheBudget | undefined {
  if (!patchEnabled('gossipsubMcacheBudget')) return undefined
  const cache = cacheOf(pubsub)!
  /** Cost of each cached message by id, oldest first (a Map keeps insertion order). */
  const costs = new Map<string, number>()
  const budget: McacheBudget = { bytes: 0, entries: 0, evicted: 0 }
  const forget = (id: string): void => {
    const c = costs.get(id)
    if (c === undefined) return
    costs.delete(id)
    budget.bytes -= c
    budget.entries--
  }
  const { put, remove, shift } = cache
  cache.put = function (this: Cache, id, msg, validated) {
    const added = put.call(this, id, msg, validated)
    if (!added) return added
    const c = (msg.data?.length ?? 0) + overheadBytes
    costs.set(id.msgIdStr, c)
    budget.bytes += c
    budget.entries++
    while (budget.bytes > maxBytes && costs.size > 1) {
      const oldest = costs.keys().next().value!
      const entry = this.msgs.get(oldest)
      if (entry !== undefined) {
        this.msgs.delete(oldest)
        if (!entry.validated) this.notValidatedCount--
        budget.evicted++
      }
      forget(oldest)
    }
    return added
  }
  cache.remove = function (this: Cache, msgId) {
    forget(msgId)
    return remove.call(this, msgId)
  }
  cache.shift = function (this: Cache) {
    for (const e of this.history[this.history.length - 1] ?? []) forget(e.msgIdStr)
    shift.call(this)
  }
  return budget
}
