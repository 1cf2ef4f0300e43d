/**
 * The two roles of a sync session (specs/sync-v1.md §5). Pure: no I/O. The responder answers each query from a
 * snapshot of its ID set; the initiator compares the answers with its own set, opens the nodes that differ, and asks
 * for the records it lacks by ID prefix. Sessions pull: the initiator ends up with the union; the responder learns
 * nothing it must act on (it syncs the other way in its own session).
 */
import { ID_BYTES, MAX_MATCHES_PER_WANT, MAX_OPEN_PER_QUERY, MAX_PENDING, MAX_ROUNDS, MAX_WANTS_PER_QUERY, SYNC_PARAMS } from './constants.ts'
import type { SyncParams } from './constants.ts'
import { SyncError } from './errors.ts'
import { addId, fingerprintOf, newSum } from './fingerprint.ts'
import { IdSet, entryLength, entryOffset } from './id-set.ts'
import type { NodeAnswer, Query, Reply } from './messages.ts'
import { openGroups, openedNodes } from './messages.ts'
import type { TreeNode } from './tree.ts'
import { bitsAt, childOf, compareBytes, hex, maxDepth } from './tree.ts'

/** §5.2 The responder's answer for each node a query opens: a listing when it holds ≤ listThreshold IDs there. */
export function answerNodes(set: IdSet, nodes: readonly TreeNode[], params: SyncParams = SYNC_PARAMS): NodeAnswer[] {
  const deepest = maxDepth(params.levelBits)
  return nodes.map((node) => {
    const [lo, hi] = set.range(node, params.levelBits)
    if (hi - lo <= params.listThreshold || node.depth >= deepest) {
      return { kind: 'list', entries: set.listEntries(lo, hi, node.depth, params) }
    }
    const s = set.summarizeChildren(lo, hi, node.depth, params)
    return { kind: 'split', counts: s.counts, fingerprints: s.fingerprints }
  })
}

/** §5.3 The IDs that answer each want (at most MAX_MATCHES_PER_WANT each), in want order. */
export function matchWants(set: IdSet, wants: readonly Uint8Array[]): Uint8Array[][] {
  return wants.map((w) => set.matching(w, MAX_MATCHES_PER_WANT))
}

interface Opening {
  node: TreeNode
  /** The responder's count for this node, announced in its parent's split (-1 for the root). */
  announced: number
  /** The responder's fingerprint of this node, from its parent's split (absent for the root). */
  fingerprint?: Uint8Array
}

/** Statistics of one session, for logs and the benchmark. */
export interface ReconcileStats {
  rounds: number
  nodesOpened: number
  wantsSent: number
}

/**
 * The initiator's side. Use: `q = r.nextQuery()`; send it; on the reply call `r.onReply(reply, receivedIds)` where
 * receivedIds are the IDs of the reply's records that were accepted (or already held); repeat until nextQuery()
 * returns null. A reply that does not answer its query throws SyncError('inconsistent').
 */
export class Reconciler {
  private readonly toOpen: Opening[] = [{ node: { depth: 0, path: new Uint8Array(0) }, announced: -1 }]
  private readonly toWant: Uint8Array[] = []
  private readonly wanted = new Set<string>()
  private inflight: { opened: Opening[]; wants: Uint8Array[]; wantsByLength: Map<number, Set<string>> } | null = null
  readonly stats: ReconcileStats = { rounds: 0, nodesOpened: 0, wantsSent: 0 }

  /**
   * @param set the initiator's IDs (a snapshot for the whole session)
   * @param exclude IDs never to ask for (tombstones of retracted and revoked records)
   */
  constructor(
    private readonly set: IdSet,
    private readonly exclude: IdSet = IdSet.empty(),
    private readonly params: SyncParams = SYNC_PARAMS,
  ) {}

  /** True when nothing is left to open or fetch. */
  get done(): boolean {
    return this.inflight === null && this.toOpen.length === 0 && this.toWant.length === 0
  }

  /** The next query, or null when the session is over. */
  nextQuery(): Query | null {
    if (this.inflight !== null) throw new Error('nextQuery before the previous reply')
    if (this.done) return null
    if (this.stats.rounds >= MAX_ROUNDS) throw new SyncError('limit', `more than ${MAX_ROUNDS} rounds`)
    this.stats.rounds++
    const opened = this.toOpen.splice(0, MAX_OPEN_PER_QUERY)
    const wants = this.toWant.splice(0, MAX_WANTS_PER_QUERY)
    const root = opened.length > 0 && opened[0].node.depth === 0
    const query: Query = { root, open: openGroups(opened.filter((o) => o.node.depth > 0).map((o) => o.node), this.params), wants }
    // Answers come in openedNodes() order: match our announcements to it.
    const byKey = new Map(opened.map((o) => [nodeKey(o.node), o]))
    const order = openedNodes(query, this.params).map((node): Opening => byKey.get(nodeKey(node)) ?? { node, announced: -1 })
    const wantsByLength = new Map<number, Set<string>>()
    for (const w of wants) {
      let set = wantsByLength.get(w.length)
      if (set === undefined) wantsByLength.set(w.length, (set = new Set()))
      set.add(hex(w))
    }
    this.inflight = { opened: order, wants, wantsByLength }
    this.stats.nodesOpened += order.length
    this.stats.wantsSent += wants.length
    return query
  }

  /** Takes the reply to the last query. `received`: IDs of the reply's records that matched a want. */
  onReply(reply: Reply, received: readonly Uint8Array[]): void {
    const inflight = this.inflight
    if (inflight === null) throw new Error('onReply without a query')
    this.inflight = null
    if (reply.nodes.length !== inflight.opened.length) {
      throw new SyncError('inconsistent', `${reply.nodes.length} answers for ${inflight.opened.length} opened nodes`)
    }
    inflight.opened.forEach((o, i) => this.takeAnswer(o, reply.nodes[i]))
    // §5.3 Wants left unanswered are asked again only if the responder said it ran out of room.
    if (reply.truncated) {
      const got = received.map(hex)
      for (const w of inflight.wants) {
        const wh = hex(w)
        if (!got.some((g) => g.startsWith(wh))) this.toWant.push(w)
      }
    }
  }

  /** True when `id` answers one of the wants of the query in flight. */
  isWanted(id: Uint8Array): boolean {
    const byLength = this.inflight?.wantsByLength
    if (byLength === undefined) return false
    for (const [len, set] of byLength) if (set.has(hex(id.subarray(0, len)))) return true
    return false
  }

  private takeAnswer(o: Opening, a: NodeAnswer): void {
    const p = this.params
    const [lo, hi] = this.set.range(o.node, p.levelBits)
    if (a.kind === 'list') {
      const len = entryLength(o.node.depth, p)
      if (a.entries.length % len !== 0) throw new SyncError('malformed', 'listing size')
      const n = a.entries.length / len
      const mustList = o.node.depth >= maxDepth(p.levelBits)
      if (n > p.listThreshold && !mustList) throw new SyncError('inconsistent', `listing of ${n} > ${p.listThreshold} IDs`)
      if (o.announced >= 0 && n !== o.announced) throw new SyncError('inconsistent', `listing of ${n}, announced ${o.announced}`)
      // My IDs in this node by their entry (two of mine may share one).
      const mine = new Map<string, number[]>()
      const own = this.set.listEntries(lo, hi, o.node.depth, p)
      for (let i = 0; i < own.length; i += len) {
        const k = hex(own.subarray(i, i + len))
        const at = mine.get(k)
        if (at === undefined) mine.set(k, [lo + i / len])
        else at.push(lo + i / len)
      }
      const off = entryOffset(o.node.depth, p.levelBits)
      const spare = o.node.depth * p.levelBits - off * 8 // bits of the entry's first byte fixed by the path
      const wantOf = (e: Uint8Array): Uint8Array => {
        const want = new Uint8Array(off + len)
        want.set(o.node.path.subarray(0, off))
        want.set(e, off)
        return want
      }
      const matched: Uint8Array[] = []
      const matchedIds = new Set<number>()
      for (let i = 0; i < a.entries.length; i += len) {
        const e = a.entries.subarray(i, i + len)
        if (spare > 0 && bitsAt(e, 0, spare) !== bitsAt(o.node.path, off * 8, spare)) {
          throw new SyncError('inconsistent', 'listed entry outside its node')
        }
        const at = mine.get(hex(e))
        if (at === undefined) {
          this.addWant(wantOf(e))
          continue
        }
        matched.push(e)
        for (const j of at) matchedIds.add(j)
      }
      // §5.3 entry collisions: when every entry matched one of mine, my matching IDs must be exactly the
      // responder's, i.e. give its fingerprint; if not, two IDs share an entry and one is hidden: ask for them all.
      if (o.fingerprint !== undefined && matched.length === n) {
        const acc = newSum()
        for (const j of matchedIds) addId(acc, this.set.bytes, j * ID_BYTES)
        if (matchedIds.size !== n || compareBytes(fingerprintOf(acc, n, p.fingerprintBytes), o.fingerprint) !== 0) {
          for (const e of matched) this.addWant(wantOf(e))
        }
      }
      return
    }
    const fanout = 1 << p.levelBits
    const total = a.counts.reduce((s, c) => s + c, 0)
    if (o.node.depth >= maxDepth(p.levelBits)) throw new SyncError('inconsistent', 'split below the deepest level')
    if (total <= p.listThreshold) throw new SyncError('inconsistent', `split of ${total} ≤ ${p.listThreshold} IDs`)
    if (o.announced >= 0 && total !== o.announced) throw new SyncError('inconsistent', `split of ${total}, announced ${o.announced}`)
    const mine = this.set.summarizeChildren(lo, hi, o.node.depth, p)
    const fb = p.fingerprintBytes
    let theirs = 0
    let ours = 0
    for (let c = 0; c < fanout; c++) {
      const tc = a.counts[c]
      const mc = mine.counts[c]
      const tfp = tc > 0 ? a.fingerprints.subarray(theirs * fb, ++theirs * fb) : undefined
      const mfp = mc > 0 ? mine.fingerprints.subarray(ours * fb, ++ours * fb) : undefined
      if (tfp === undefined) continue // they hold nothing here: nothing to pull
      if (mfp !== undefined && tc === mc && compareBytes(tfp, mfp) === 0) continue
      if (this.toOpen.length >= MAX_PENDING) throw new SyncError('limit', `more than ${MAX_PENDING} nodes to open`)
      this.toOpen.push({ node: childOf(o.node, c, p.levelBits), announced: tc, fingerprint: Uint8Array.prototype.slice.call(tfp) })
    }
  }

  private addWant(prefix: Uint8Array): void {
    const h = hex(prefix)
    if (this.wanted.has(h)) return
    this.wanted.add(h)
    if (this.exclude.matching(prefix, 1).length > 0) return // §5.3 tombstoned: never fetched again
    if (this.toWant.length >= MAX_PENDING) throw new SyncError('limit', `more than ${MAX_PENDING} wants pending`)
    this.toWant.push(prefix)
  }
}

function nodeKey(n: TreeNode): string {
  return `${n.depth}:${hex(n.path)}`
}
