import { test } from 'node:test'
import assert from 'node:assert/strict'
import { createHash } from 'node:crypto'
import { IdSet } from '../../../protocol/sync/id-set.ts'
import { simulateSession } from '../../../protocol/sync/simulate.ts'
import { Reconciler, answerNodes } from '../../../protocol/sync/reconcile.ts'
import { decodeReply, encodeReply, openedNodes } from '../../../protocol/sync/messages.ts'
import { SyncError } from '../../../protocol/sync/errors.ts'
import { LIST_THRESHOLD } from '../../../protocol/sync/constants.ts'
import { hex } from '../../../protocol/sync/tree.ts'

const id = (seed: string, i: number) => new Uint8Array(createHash('sha256').update(`${seed}:${i}`).digest())
const ids = (seed: string, n: number, from = 0) => Array.from({ length: n }, (_, i) => id(seed, from + i))
const hexes = (s: IdSet) => Array.from({ length: s.size }, (_, i) => hex(s.at(i)))

/** xorshift32: the seeded choice of which IDs each side lacks. */
function rng(seed: number): () => number {
  let x = seed
  return () => {
    x ^= x << 13
    x ^= x >>> 17
    x ^= x << 5
    return (x >>> 0) / 2 ** 32
  }
}

test('IdSet sorts, drops duplicates, finds ranges and prefixes', () => {
  const a = ids('s', 100)
  const s = IdSet.from([...a, ...a.slice(0, 10)])
  assert.equal(s.size, 100)
  const sorted = hexes(s)
  assert.deepEqual(sorted, [...sorted].sort())
  assert.ok(s.has(a[5]))
  assert.ok(!s.has(id('other', 1)))
  assert.deepEqual(s.matching(a[7].subarray(0, 6), 4).map(hex), [hex(a[7])])
  assert.equal(s.withoutIds(a.slice(0, 30)).size, 70)
  assert.throws(() => IdSet.from([new Uint8Array(31)]), RangeError)
})

test('seeded random sets converge in both directions, within bounded rounds', () => {
  for (const [seed, n, pLackI, pLackR] of [[1, 0, 0, 0], [2, 5, 0.5, 0], [3, 2000, 0.01, 0], [4, 2000, 0.1, 0.1], [5, 20000, 0.02, 0.005], [6, 3000, 1, 0], [7, 3000, 0, 1]] as const) {
    const r = rng(seed)
    const all = ids(`set${seed}`, n)
    const mine = all.filter(() => r() >= pLackI)
    const theirs = all.filter(() => r() >= pLackR)
    const I = IdSet.from(mine)
    const R = IdSet.from(theirs)
    const res = simulateSession(I, R)
    assert.deepEqual(hexes(res.result), hexes(I.withIds(theirs)), `seed ${seed}`)
    // Depth of a 16-ary tree over n IDs with leaves of LIST_THRESHOLD, + 1 fetch round, + re-asks of 1024 wants.
    const depth = Math.ceil(Math.log(Math.max(n, 1) / LIST_THRESHOLD) / Math.log(16)) + 2
    const fetchRounds = Math.ceil((R.size - I.size + mine.length) / 1024)
    assert.ok(res.stats.rounds <= depth + fetchRounds + 1, `seed ${seed}: ${res.stats.rounds} rounds`)
    // The other direction also converges.
    assert.deepEqual(hexes(simulateSession(R, I).result), hexes(R.withIds(mine)), `seed ${seed} reverse`)
  }
})

test('identical sets settle in one round with one small reply', () => {
  const s = IdSet.from(ids('same', 5000))
  const res = simulateSession(s, s)
  assert.equal(res.stats.rounds, 1)
  assert.ok(res.queryBytes + res.replyBytes < 250, `${res.queryBytes + res.replyBytes} bytes`)
})

test('tombstoned IDs are never asked for', () => {
  const all = ids('t', 500)
  const gone = all.filter((_, i) => i % 10 === 0)
  const res = simulateSession(IdSet.empty(), IdSet.from(all), { exclude: IdSet.from(gone) })
  assert.equal(res.result.size, 450)
  assert.ok(gone.every((g) => !res.result.has(g)))
})

test('1,000 scattered missing of 100,000: overhead under the 1.3 goal (model of the benchmark)', () => {
  const all = ids('bench', 100_000)
  const r = rng(42)
  const lacking = new Set<number>()
  while (lacking.size < 1000) lacking.add(Math.floor(r() * all.length))
  const I = IdSet.from(all.filter((_, i) => !lacking.has(i)))
  const res = simulateSession(I, IdSet.from(all))
  assert.equal(res.result.size, 100_000)
  const ratio = (res.queryBytes + res.replyBytes) / res.recordBytes
  assert.ok(ratio < 1.3, `ratio ${ratio}`)
})

function inflightReply(I: IdSet, R: IdSet) {
  const rec = new Reconciler(I)
  const q = rec.nextQuery()!
  const nodes = answerNodes(R, openedNodes(q))
  return { rec, nodes }
}

test('a reply that does not answer its query is cut off as inconsistent', () => {
  const R = IdSet.from(ids('r', 400))
  const I = IdSet.from(ids('r', 300))
  const code = (f: () => void) => assert.throws(f, (e: unknown) => e instanceof SyncError && e.code === 'inconsistent')

  let { rec, nodes } = inflightReply(I, R)
  code(() => rec.onReply({ nodes: [...nodes, nodes[0]], records: [], truncated: false }, [])) // answer count

  ;({ rec, nodes } = inflightReply(I, R))
  code(() => rec.onReply({ nodes: [{ kind: 'list', entries: new Uint8Array(5 * (LIST_THRESHOLD + 1)) }], records: [], truncated: false }, []))

  // A split of the root that claims too few IDs for a split.
  ;({ rec, nodes } = inflightReply(I, R))
  const counts = new Array<number>(16).fill(0)
  counts[3] = 2
  code(() => rec.onReply({ nodes: [{ kind: 'split', counts, fingerprints: new Uint8Array(8) }], records: [], truncated: false }, []))

  // Second round: answers whose totals do not match the counts announced by the parent's split.
  ;({ rec, nodes } = inflightReply(I, R))
  rec.onReply({ nodes, records: [], truncated: false }, [])
  const q2 = rec.nextQuery()!
  const opened = openedNodes(q2)
  const honest = answerNodes(R, opened)
  const tampered = honest.map((a) => (a.kind === 'list' ? { kind: 'list' as const, entries: a.entries.subarray(5) } : a))
  code(() => rec.onReply({ nodes: tampered, records: [], truncated: false }, []))
})

test('a listed entry outside its node is inconsistent', () => {
  // Any entry is inside the root, so go one level down: the responder's root is split (600 IDs).
  const big = IdSet.from(ids('x', 600))
  const rec2 = new Reconciler(IdSet.from(ids('x', 300)))
  const q = rec2.nextQuery()!
  rec2.onReply({ nodes: answerNodes(big, openedNodes(q)), records: [], truncated: false }, [])
  const q2 = rec2.nextQuery()!
  const opened = openedNodes(q2)
  const answers = answerNodes(big, opened)
  const i = answers.findIndex((a) => a.kind === 'list' && a.entries.length > 0 && opened[answers.indexOf(a)].depth === 1)
  assert.ok(i >= 0)
  const a = answers[i] as { kind: 'list'; entries: Uint8Array }
  const e = a.entries.slice()
  e[0] ^= 0x80 // first nibble (the depth-1 path) now names another node
  answers[i] = { kind: 'list', entries: e }
  assert.throws(() => rec2.onReply({ nodes: answers, records: [], truncated: false }, []), (x: unknown) => x instanceof SyncError && x.code === 'inconsistent')
})

test('replies round-trip through their deterministic CBOR encoding', () => {
  const R = IdSet.from(ids('rt', 1000))
  const nodes = answerNodes(R, openedNodes({ root: true, open: [], wants: [] }))
  const bytes = encodeReply({ nodes, records: [new Uint8Array([1, 2, 3])], truncated: false })
  assert.deepEqual(decodeReply(bytes), { nodes, records: [new Uint8Array([1, 2, 3])], truncated: false })
})

test('a responder that fabricates ever-growing consistent splits is cut off before the pending queue is unbounded', () => {
  const rec = new Reconciler(IdSet.empty())
  const fps = new Uint8Array(16 * 8)
  const TOTAL = 2 ** 40 // claimed at the root; each level splits it evenly over 16 children
  assert.throws(() => {
    for (let round = 0; round < 64; round++) {
      const q = rec.nextQuery()!
      const nodes = openedNodes(q).map((n) => ({ kind: 'split' as const, counts: new Array<number>(16).fill(TOTAL / 16 ** (n.depth + 1)), fingerprints: fps }))
      rec.onReply({ nodes, records: [], truncated: false }, [])
    }
  }, (e: unknown) => e instanceof SyncError && e.code === 'limit')
})

test('two IDs that share a listing entry do not hide a record (fingerprint check of the matched entries)', () => {
  const shared = ids('collide', 100)
  const x = new Uint8Array(32).fill(0xaa)
  const y = new Uint8Array(32).fill(0xbb)
  x.set([0x12, 0x34, 0x56, 0x78, 0x9a, 0xbc]) // x and y agree on their first 6 bytes: one listing entry
  y.set([0x12, 0x34, 0x56, 0x78, 0x9a, 0xbc])
  const I = IdSet.from([...shared, x])
  const R = IdSet.from([...shared, y])
  const res = simulateSession(I, R)
  assert.ok(res.result.has(y), 'the responder’s y was fetched although its entry equals x’s')
  assert.equal(res.result.size, 102)
  // Equal sets raise no such wants: one round.
  assert.equal(simulateSession(R, R).stats.rounds, 1)
})
