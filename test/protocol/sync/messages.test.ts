import { test } from 'node:test'
import assert from 'node:assert/strict'
import { encodeCanonical } from '../../../protocol/cbor.ts'
import type { CborValue } from '../../../protocol/cbor.ts'
import { decodeQuery, decodeReply, encodeQuery, openGroups, openedNodes } from '../../../protocol/sync/messages.ts'
import { SyncError } from '../../../protocol/sync/errors.ts'
import type { SyncErrorCode } from '../../../protocol/sync/errors.ts'
import { MAX_MESSAGE_BYTES, MAX_OPEN_PER_QUERY, MAX_RECORDS_PER_REPLY, MAX_WANTS_PER_QUERY } from '../../../protocol/sync/constants.ts'
import { ROOT, childOf, hex } from '../../../protocol/sync/tree.ts'

function code(c: SyncErrorCode, f: () => unknown) {
  assert.throws(f, (e: unknown) => e instanceof SyncError && e.code === c, c)
}
const enc = (v: CborValue) => encodeCanonical(v)

test('open groups: parents ascending, masks name children, round trip', () => {
  const a = childOf(childOf(ROOT, 3, 4), 15, 4)
  const b = childOf(childOf(ROOT, 3, 4), 0, 4)
  const c = childOf(childOf(ROOT, 9, 4), 7, 4)
  const d = childOf(ROOT, 1, 4)
  const q = { root: false, open: openGroups([a, b, c, d]), wants: [new Uint8Array(6)] }
  assert.deepEqual(q.open.map((g) => [g.depth, hex(g.entries)]), [[0, '4000'], [1, '308001900100']])
  const nodes = openedNodes(decodeQuery(encodeQuery(q)))
  assert.deepEqual(nodes.map((n) => `${n.depth}:${hex(n.path)}`), ['1:10', '2:30', '2:3f', '2:97'])
})

test('hostile queries get codes, never crashes', () => {
  code('malformed', () => decodeQuery(new Uint8Array([0xff, 0x00])))
  code('malformed', () => decodeQuery(enc({ root: true })))
  code('malformed', () => decodeQuery(enc([true, [], [new Uint8Array(4)]]))) // want shorter than MIN_WANT_BYTES
  code('malformed', () => decodeQuery(enc([false, [[1, new Uint8Array(2)]], []]))) // entry size: 1 path byte + 2 mask
  code('non_canonical', () => decodeQuery(enc([false, [[1, new Uint8Array([0x20, 0x80, 0x00, 0x10, 0x80, 0x00])]], []]))) // parents descending
  code('non_canonical', () => decodeQuery(enc([false, [[1, new Uint8Array([0x11, 0x80, 0x00])]], []]))) // spare path bits set
  code('non_canonical', () => decodeQuery(enc([false, [[1, new Uint8Array([0x10, 0x00, 0x00])]], []]))) // empty mask
  code('non_canonical', () => decodeQuery(enc([false, [[1, new Uint8Array([0x10, 0x80, 0x00])], [0, new Uint8Array([0x80, 0x00])]], []])))
  code('malformed', () => decodeQuery(enc([false, [[64, new Uint8Array(34)]], []]))) // below the deepest level
  code('non_canonical', () => decodeQuery(enc([true, [[0, new Uint8Array([0x80, 0x00])]], []]))) // root and a child of it
  // Node 3 (depth 1) opened, and child 0 of node 3 (depth 2) inside it: nested opens.
  code('non_canonical', () => decodeQuery(enc([false, [[0, new Uint8Array([0x10, 0x00])], [1, new Uint8Array([0x30, 0x80, 0x00])]], []])))
  // Siblings' children in one query are fine: node 2 opened, children of node 3 opened.
  assert.equal(openedNodes(decodeQuery(enc([false, [[0, new Uint8Array([0x20, 0x00])], [1, new Uint8Array([0x30, 0x80, 0x00])]], []]))).length, 2)
  code('limit', () => decodeQuery(enc([false, [], Array.from({ length: MAX_WANTS_PER_QUERY + 1 }, () => new Uint8Array(8))])))
  // Every child of every depth-3 parent: 4096 × 16 opens > MAX_OPEN_PER_QUERY.
  const entries = new Uint8Array(4096 * 4)
  for (let i = 0; i < 4096; i++) entries.set([i >> 4, (i & 15) << 4, 0xff, 0xff], i * 4)
  assert.ok(4096 * 16 > MAX_OPEN_PER_QUERY)
  code('limit', () => decodeQuery(enc([false, [[3, entries]], []])))
  code('limit', () => decodeQuery(new Uint8Array(MAX_MESSAGE_BYTES + 1)))
})

test('hostile replies get codes', () => {
  code('malformed', () => decodeReply(enc([[], [], 'no'])))
  code('malformed', () => decodeReply(enc([[[[1, 2], new Uint8Array(16)]], [], false]))) // 2 counts, not 16
  code('malformed', () => decodeReply(enc([[[new Array(16).fill(1), new Uint8Array(8)]], [], false]))) // 16 fps due
  code('malformed', () => decodeReply(enc([[[new Array(16).fill(-1), new Uint8Array(0)]], [], false])))
  code('limit', () => decodeReply(enc([[], Array.from({ length: MAX_RECORDS_PER_REPLY + 1 }, () => new Uint8Array(1)), false])))
})

test('decoding a Node Buffer leaves the message untouched (Buffer.slice is a view, not a copy)', () => {
  // Odd-depth parents exercise the spare-bit masking of ancestor paths.
  const a = childOf(childOf(childOf(ROOT, 0, 4), 0, 4), 1, 4)
  const b = childOf(childOf(childOf(ROOT, 0, 4), 0, 4), 2, 4)
  const c = childOf(childOf(childOf(ROOT, 0, 4), 1, 4), 0, 4)
  const bytes = encodeQuery({ root: false, open: openGroups([childOf(a, 3, 4), childOf(b, 3, 4), childOf(c, 5, 4)]), wants: [] })
  const buf = Buffer.from(bytes)
  const before = hex(buf)
  assert.equal(openedNodes(decodeQuery(buf)).length, 3)
  assert.equal(hex(buf), before)
})
