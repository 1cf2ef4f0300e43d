/**
 * `gossipsubMcacheBudget`: @libp2p/gossipsub's message cache holds every message of its window (`mcacheLength`
 * heartbeats) whatever their number, so its memory grows with the arrival rate. This bounds by bytes what it keeps of
 * the messages already validated (network-v1 §7.1 memory budget): those forwarded, kept only to answer IWANTs. Each
 * counts its data plus `MCACHE_ENTRY_OVERHEAD_BYTES`; past `MCACHE_MAX_BYTES` the oldest validated go first, exactly
 * as if their window had ended (an IWANT for one is not answered). Messages still awaiting their outcome are never
 * evicted: each is a record in the door's validation queues, so the queues' budget (§7) bounds them, and a REJECT
 * still finds its message and charges the sender (§6 P4) — evicting them would let a flood hide forgeries.
 * Touches the instance's `mcache`: wraps `put`, `validate`, `remove` and `shift`, and deletes from its `msgs` Map.
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
  validate(msgId: string): unknown
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
  if (typeof c.put !== 'function' || typeof c.validate !== 'function' || typeof c.remove !== 'function' || typeof c.shift !== 'function') return 'gossipsub\'s mcache has no put/validate/remove/shift'
  if (typeof c.notValidatedCount !== 'number') return 'gossipsub\'s mcache has no `notValidatedCount`'
  return undefined
}

/** What the budget holds now (validated messages: bytes counted, entries; evicted so far), for the benchmark. */
export interface McacheBudget { bytes: number; entries: number; evicted: number }

/**
 * Bounds what the router's message cache keeps of validated messages to `maxBytes`, each costing its data plus
 * `overheadBytes` (checked first: see checkRouterPatches). Returns the live figures, or undefined when disabled.
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
  const { put, validate, remove, shift } = cache
  /** Counts a validated message; evicts the oldest validated ones while the budget is exceeded (the newest stays). */
  const count = (msgs: Map<string, Entry>, id: string): void => {
    const entry = msgs.get(id)
    if (entry === undefined || costs.has(id)) return
    const c = (entry.message.data?.length ?? 0) + overheadBytes
    costs.set(id, c)
    budget.bytes += c
    budget.entries++
    while (budget.bytes > maxBytes && costs.size > 1) {
      const oldest = costs.keys().next().value!
      if (msgs.delete(oldest)) budget.evicted++
      forget(oldest)
    }
  }
  cache.put = function (this: Cache, id, msg, validated) {
    const added = put.call(this, id, msg, validated)
    if (added && validated === true) count(this.msgs, id.msgIdStr)
    return added
  }
  cache.validate = function (this: Cache, msgId) {
    const r = validate.call(this, msgId)
    if (r !== null && r !== undefined) count(this.msgs, msgId)
    return r
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
