/**
 * The two messages of /aip/sync/1.0.0 and their deterministic-CBOR form (specs/sync-v1.md §5, CDDL there):
 *
 *   query = [root: bool, open: [* [parent-depth: uint, entries: bstr]], wants: [* bstr]]
 *   reply = [nodes: [* node], records: [* bstr], truncated: bool]
 *   node  = listing / [counts: [* uint], fingerprints: bstr]     ; listing = bstr
 *
 * Decoding checks shape, sizes and canonical order; whether a reply answers its query is checked by the initiator
 * (reconcile.ts), which knows what it asked.
 */
import { decodeCanonical, encodeCanonical } from '../cbor.ts'
import type { CborValue } from '../cbor.ts'
import { MAX_ENVELOPE_BYTES } from '../constants.ts'
import {
  ID_BYTES,
  MAX_MESSAGE_BYTES,
  MAX_OPEN_PER_QUERY,
  MAX_RECORDS_PER_REPLY,
  MAX_WANTS_PER_QUERY,
  MIN_WANT_BYTES,
  SYNC_PARAMS,
} from './constants.ts'
import type { SyncParams } from './constants.ts'
import { SyncError } from './errors.ts'
import type { TreeNode } from './tree.ts'
import { ROOT, bitsAt, childOf, compareBytes, hex, isCanonicalPath, maxDepth, pathBytes } from './tree.ts'

/** Opens the children named by each mask of the parents at depth `depth`. */
export interface OpenGroup {
  /** Depth of the parents. */
  depth: number
  /** (n, pathBytes(depth) + maskBytes) — each parent's path then its child mask (bit 7 of byte 0 = child 0). */
  entries: Uint8Array
}

export interface Query {
  /** Open the root. */
  root: boolean
  open: OpenGroup[]
  /** ID prefixes (MIN_WANT_BYTES..ID_BYTES bytes) whose records the initiator asks for. */
  wants: Uint8Array[]
}

export type NodeAnswer =
  | { kind: 'list'; entries: Uint8Array }
  | { kind: 'split'; counts: number[]; fingerprints: Uint8Array }

export interface Reply {
  /** One answer per opened node, in the order of `openedNodes(query)`. */
  nodes: NodeAnswer[]
  /** Records (full COSE envelopes) matching the query's wants. */
  records: Uint8Array[]
  /** True when records were left out to respect MAX_MESSAGE_BYTES or MAX_RECORDS_PER_REPLY. */
  truncated: boolean
}

export function maskBytes(params: SyncParams): number {
  return (1 << params.levelBits) / 8
}

/** Most CBOR items a valid message can hold (bounds the decoder before it allocates). */
function maxItems(params: SyncParams): number {
  return 16 + MAX_OPEN_PER_QUERY * (4 + (1 << params.levelBits)) + MAX_WANTS_PER_QUERY + MAX_RECORDS_PER_REPLY
}

/**
 * A copy as a plain Uint8Array. (A Node Buffer's `slice` is a view, not a copy: editing its result would edit the
 * message it came from.)
 */
function copyOf(b: Uint8Array): Uint8Array {
  return Uint8Array.prototype.slice.call(b)
}

function decode(input: Uint8Array, params: SyncParams): CborValue {
  // Plain Uint8Array view: every bstr decoded from it is one too (a Buffer from the transport would leak its
  // view-returning `slice` into the fields).
  const bytes = new Uint8Array(input.buffer, input.byteOffset, input.byteLength)
  if (bytes.length > MAX_MESSAGE_BYTES) throw new SyncError('limit', `message of ${bytes.length} bytes`)
  try {
    return decodeCanonical(bytes, { maxBytes: MAX_MESSAGE_BYTES, maxDepth: 4, maxItems: maxItems(params) })
  } catch (err) {
    throw new SyncError('malformed', `not deterministic CBOR: ${(err as Error).message}`)
  }
}

function encode(value: CborValue): Uint8Array {
  const bytes = encodeCanonical(value)
  if (bytes.length > MAX_MESSAGE_BYTES) throw new SyncError('limit', `message of ${bytes.length} bytes`)
  return bytes
}

const isUint = (v: CborValue): v is number => typeof v === 'number' && Number.isSafeInteger(v) && v >= 0

export function encodeQuery(q: Query): Uint8Array {
  return encode([q.root, q.open.map((g) => [g.depth, g.entries]), q.wants])
}

export function encodeReply(r: Reply): Uint8Array {
  const nodes: CborValue[] = r.nodes.map((n) => (n.kind === 'list' ? n.entries : [n.counts, n.fingerprints]))
  return encode([nodes, r.records, r.truncated])
}

export function decodeQuery(bytes: Uint8Array, params: SyncParams = SYNC_PARAMS): Query {
  const v = decode(bytes, params)
  if (!Array.isArray(v) || v.length !== 3) throw new SyncError('malformed', 'a query is a 3-element array')
  const [root, open, wants] = v
  if (typeof root !== 'boolean' || !Array.isArray(open) || !Array.isArray(wants)) throw new SyncError('malformed', 'query field types')
  const groups: OpenGroup[] = []
  for (const g of open) {
    if (!Array.isArray(g) || g.length !== 2 || !isUint(g[0]) || !(g[1] instanceof Uint8Array)) {
      throw new SyncError('malformed', 'an open group is [uint, bstr]')
    }
    groups.push({ depth: g[0], entries: g[1] })
  }
  if (wants.length > MAX_WANTS_PER_QUERY) throw new SyncError('limit', `${wants.length} wants`)
  for (const w of wants) {
    if (!(w instanceof Uint8Array) || w.length < MIN_WANT_BYTES || w.length > ID_BYTES) {
      throw new SyncError('malformed', `a want is ${MIN_WANT_BYTES}..${ID_BYTES} bytes`)
    }
  }
  const query: Query = { root, open: groups, wants: wants as Uint8Array[] }
  openedNodes(query, params) // validates the groups
  return query
}

export function decodeReply(bytes: Uint8Array, params: SyncParams = SYNC_PARAMS): Reply {
  const v = decode(bytes, params)
  if (!Array.isArray(v) || v.length !== 3) throw new SyncError('malformed', 'a reply is a 3-element array')
  const [nodes, records, truncated] = v
  if (!Array.isArray(nodes) || !Array.isArray(records) || typeof truncated !== 'boolean') {
    throw new SyncError('malformed', 'reply field types')
  }
  if (nodes.length > MAX_OPEN_PER_QUERY) throw new SyncError('limit', `${nodes.length} nodes`)
  if (records.length > MAX_RECORDS_PER_REPLY) throw new SyncError('limit', `${records.length} records`)
  const fanout = 1 << params.levelBits
  const answers: NodeAnswer[] = []
  for (const n of nodes) {
    if (n instanceof Uint8Array) {
      answers.push({ kind: 'list', entries: n })
      continue
    }
    if (!Array.isArray(n) || n.length !== 2 || !Array.isArray(n[0]) || !(n[1] instanceof Uint8Array)) {
      throw new SyncError('malformed', 'a node answer is a bstr or [[* uint], bstr]')
    }
    const counts = n[0]
    if (counts.length !== fanout || !counts.every(isUint)) throw new SyncError('malformed', `a split has ${fanout} uint counts`)
    const nonEmpty = (counts as number[]).filter((c) => c > 0).length
    if (n[1].length !== nonEmpty * params.fingerprintBytes) throw new SyncError('malformed', 'fingerprint bytes do not match counts')
    answers.push({ kind: 'split', counts: counts as number[], fingerprints: n[1] })
  }
  for (const r of records) {
    if (!(r instanceof Uint8Array) || r.length > MAX_ENVELOPE_BYTES) throw new SyncError('malformed', 'a record is a bstr ≤ MAX_ENVELOPE_BYTES')
  }
  return { nodes: answers, records: records as Uint8Array[], truncated }
}

/**
 * The nodes a query opens, in answer order: the root if asked, then each group's parents in order, each parent's
 * masked children in ascending child order. Throws SyncError on a non-canonical or over-limit open list.
 */
export function openedNodes(q: Query, params: SyncParams = SYNC_PARAMS): TreeNode[] {
  const out: TreeNode[] = q.root ? [ROOT] : []
  if (q.root && q.open.length > 0) throw new SyncError('non_canonical', 'the root opened with nodes inside it')
  // §5.1 opened nodes are disjoint: none inside another (bounds the responder's work per query by its set size).
  const seen = new Set<string>()
  const mb = maskBytes(params)
  const deepest = maxDepth(params.levelBits)
  let lastDepth = -1
  for (const g of q.open) {
    if (g.depth <= lastDepth) throw new SyncError('non_canonical', 'open groups must have ascending depths')
    lastDepth = g.depth
    if (g.depth >= deepest) throw new SyncError('malformed', `parent depth ${g.depth} ≥ ${deepest}`)
    const pb = pathBytes(g.depth, params.levelBits)
    const size = pb + mb
    if (g.entries.length === 0 || g.entries.length % size !== 0) throw new SyncError('malformed', 'open entries size')
    let last: Uint8Array | undefined
    for (let o = 0; o < g.entries.length; o += size) {
      const parent: TreeNode = { depth: g.depth, path: g.entries.subarray(o, o + pb) }
      if (!isCanonicalPath(parent, params.levelBits)) throw new SyncError('non_canonical', 'path with non-zero spare bits')
      for (let k = 1; k <= parent.depth; k++) {
        if (seen.has(ancestorKey(parent, k, params.levelBits))) throw new SyncError('non_canonical', 'a node opened inside another opened node')
      }
      if (last !== undefined && compareBytes(last, parent.path) >= 0) throw new SyncError('non_canonical', 'parents must be ascending')
      last = parent.path
      const mask = g.entries.subarray(o + pb, o + size)
      let any = false
      for (let c = 0; c < mb * 8; c++) {
        if ((mask[c >> 3] >> (7 - (c & 7))) & 1) {
          any = true
          if (out.length >= MAX_OPEN_PER_QUERY) throw new SyncError('limit', `more than ${MAX_OPEN_PER_QUERY} opens`)
          const child = childOf(parent, c, params.levelBits)
          seen.add(ancestorKey(child, child.depth, params.levelBits))
          out.push(child)
        }
      }
      if (!any) throw new SyncError('non_canonical', 'empty child mask')
    }
  }
  return out
}

/** Key of the depth-`k` ancestor of `node` (k ≤ node.depth). */
function ancestorKey(node: TreeNode, k: number, levelBits: number): string {
  const path = copyOf(node.path.subarray(0, pathBytes(k, levelBits)))
  const spare = path.length * 8 - k * levelBits
  if (spare > 0) path[path.length - 1] &= (0xff << spare) & 0xff
  return `${k}:${hex(path)}`
}

/** Builds the open groups for a list of nodes to open (any order; each must have depth ≥ 1). */
export function openGroups(nodes: readonly TreeNode[], params: SyncParams = SYNC_PARAMS): OpenGroup[] {
  const mb = maskBytes(params)
  const byParent = new Map<string, { depth: number; path: Uint8Array; mask: Uint8Array }>()
  for (const n of nodes) {
    const depth = n.depth - 1
    const pb = pathBytes(depth, params.levelBits)
    const path = copyOf(n.path.subarray(0, pb))
    // Clear the bits of the child's own level that spill into the parent's last byte.
    const used = depth * params.levelBits
    if (pb * 8 > used) path[pb - 1] &= (0xff << (pb * 8 - used)) & 0xff
    const key = `${depth}:${Array.from(path).join(',')}`
    let e = byParent.get(key)
    if (e === undefined) byParent.set(key, (e = { depth, path, mask: new Uint8Array(mb) }))
    const c = bitsAt(n.path, (n.depth - 1) * params.levelBits, params.levelBits)
    e.mask[c >> 3] |= 0x80 >> (c & 7)
  }
  const depths = [...new Set([...byParent.values()].map((e) => e.depth))].sort((a, b) => a - b)
  return depths.map((depth) => {
    const es = [...byParent.values()].filter((e) => e.depth === depth).sort((a, b) => compareBytes(a.path, b.path))
    const size = pathBytes(depth, params.levelBits) + mb
    const entries = new Uint8Array(es.length * size)
    es.forEach((e, i) => {
      entries.set(e.path, i * size)
      entries.set(e.mask, i * size + e.path.length)
    })
    return { depth, entries }
  })
}
