/**
 * The golden vectors of specs/vectors/sync/ (format in specs/sync-v1.md §10), computed from the implementation.
 * `node --import tsx test/protocol/sync/vectors.ts --write` regenerates them; vectors.test.ts checks that the
 * committed files equal what this computes.
 */
import { createHash } from 'node:crypto'
import { writeFileSync } from 'node:fs'
import { encodeCanonical } from '../../../protocol/cbor.ts'
import type { CborValue } from '../../../protocol/cbor.ts'
import { MAX_MATCHES_PER_WANT, SYNC_PARAMS } from '../../../protocol/sync/constants.ts'
import { SyncError } from '../../../protocol/sync/errors.ts'
import { addId, fingerprintOf, newSum, sumBytes } from '../../../protocol/sync/fingerprint.ts'
import { IdSet } from '../../../protocol/sync/id-set.ts'
import { decodeQuery, decodeReply, encodeQuery, encodeReply, openedNodes } from '../../../protocol/sync/messages.ts'
import { Reconciler, answerNodes, matchWants } from '../../../protocol/sync/reconcile.ts'
import { hex } from '../../../protocol/sync/tree.ts'

const sha = (b: Uint8Array | string) => new Uint8Array(createHash('sha256').update(b).digest())
const fromHex = (h: string) => Uint8Array.from(Buffer.from(h, 'hex'))

export function fingerprintVectors(): object[] {
  const cases: Array<[string, Uint8Array[]]> = [
    ['empty set', []],
    ['one zero ID', [new Uint8Array(32)]],
    ['one all-ones ID', [new Uint8Array(32).fill(0xff)]],
    ['sum wraps modulo 2^256 (all-ones + 2)', [new Uint8Array(32).fill(0xff), Uint8Array.from([2, ...new Uint8Array(31)])]],
    ['carry across every limb (all-ones + 1 = 0)', [new Uint8Array(32).fill(0xff), Uint8Array.from([1, ...new Uint8Array(31)])]],
    ['five hashed IDs', Array.from({ length: 5 }, (_, i) => sha(`aip sync vector id ${i}`))],
    ['200 hashed IDs (count needs two LEB128 bytes)', Array.from({ length: 200 }, (_, i) => sha(`aip sync vector id ${i}`))],
  ]
  return cases.map(([name, ids]) => {
    const acc = newSum()
    for (const id of ids) addId(acc, id, 0)
    return { name, ids: ids.map(hex), count: ids.length, sum: hex(sumBytes(acc)), fingerprint: hex(fingerprintOf(acc, ids.length, SYNC_PARAMS.fingerprintBytes)) }
  })
}

/** Records of the session vector: arbitrary bytes, identified by their SHA-256. */
function record(i: number): Uint8Array {
  return new TextEncoder().encode(`aip sync vector record ${i}`)
}

/** A full session: the initiator holds records 0..299 but every 9th; the responder 0..339 but every 13th. */
export function sessionVector(): object {
  const mine = Array.from({ length: 300 }, (_, i) => i).filter((i) => i % 9 !== 0)
  const theirs = Array.from({ length: 340 }, (_, i) => i).filter((i) => i % 13 !== 0)
  const byDigest = new Map(theirs.map((i) => [hex(sha(record(i))), record(i)]))
  const I = IdSet.from(mine.map((i) => sha(record(i))))
  const R = IdSet.from(theirs.map((i) => sha(record(i))))
  const rec = new Reconciler(I)
  const rounds: object[] = []
  let have = I
  for (let q = rec.nextQuery(); q !== null; q = rec.nextQuery()) {
    const qb = encodeQuery(q)
    const query = decodeQuery(qb)
    const nodes = answerNodes(R, openedNodes(query))
    const ids = matchWants(R, query.wants).flat()
    const records = ids.map((d) => byDigest.get(hex(d))!)
    const rb = encodeReply({ nodes, records, truncated: false })
    rounds.push({ query: hex(qb), reply: hex(rb) })
    rec.onReply(decodeReply(rb), ids)
    have = have.withIds(ids)
  }
  const expected = Array.from({ length: have.size }, (_, i) => hex(have.at(i)))
  return {
    description: 'initiator holds records 0..299 except multiples of 9; responder holds 0..339 except multiples of 13; record i is the UTF-8 text "aip sync vector record i", its ID the SHA-256 of those bytes',
    initiator: mine,
    responder: theirs,
    max_matches_per_want: MAX_MATCHES_PER_WANT,
    rounds,
    initiator_after: expected,
  }
}

const enc = (v: CborValue) => hex(encodeCanonical(v))

/** Messages a receiver must refuse, with the code (§7). */
export function messageVectors(): object[] {
  const cases: Array<{ name: string; kind: 'query' | 'reply'; hex: string }> = [
    { name: 'first query of a session: open the root', kind: 'query', hex: enc([true, [], []]) },
    { name: 'open children 0 and 15 of node 3, child 7 of node 9; one want', kind: 'query', hex: enc([false, [[1, fromHex('308001900100')]], [fromHex('0102030405')]]) },
    { name: 'not CBOR', kind: 'query', hex: 'ff00' },
    { name: 'a map, not an array', kind: 'query', hex: enc({ root: true }) },
    { name: 'want shorter than MIN_WANT_BYTES', kind: 'query', hex: enc([true, [], [fromHex('01020304')]]) },
    { name: 'parents out of order', kind: 'query', hex: enc([false, [[1, fromHex('208000108000')]], []]) },
    { name: 'spare path bits set', kind: 'query', hex: enc([false, [[1, fromHex('118000')]], []]) },
    { name: 'empty child mask', kind: 'query', hex: enc([false, [[1, fromHex('100000')]], []]) },
    { name: 'the root opened together with a node inside it', kind: 'query', hex: enc([true, [[0, fromHex('8000')]], []]) },
    { name: 'node 1 opened, and a child of node 1 in the same query', kind: 'query', hex: enc([false, [[0, fromHex('4000')], [1, fromHex('108000')]], []]) },
    { name: 'non-minimal CBOR head (array length in one extra byte)', kind: 'query', hex: '9803f58080' },
    { name: 'split with 2 counts', kind: 'reply', hex: enc([[[[1, 2], new Uint8Array(16)]], [], false]) },
    { name: 'split whose fingerprints do not match its non-empty counts', kind: 'reply', hex: enc([[[new Array<number>(16).fill(1), new Uint8Array(8)]], [], false]) },
    { name: 'truncated flag not a bool', kind: 'reply', hex: enc([[], [], 0]) },
  ]
  return cases.map((c) => {
    try {
      const bytes = fromHex(c.hex)
      if (c.kind === 'query') decodeQuery(bytes)
      else decodeReply(bytes)
      return { ...c, expected: 'valid' }
    } catch (e) {
      if (!(e instanceof SyncError)) throw e
      return { ...c, expected: 'reject', code: e.code }
    }
  })
}

export const VECTOR_FILES = {
  'fingerprints.json': fingerprintVectors,
  'session.json': sessionVector,
  'messages.json': messageVectors,
}

export const VECTOR_DIR = new URL('../../../specs/vectors/sync/', import.meta.url)

if (process.argv.includes('--write')) {
  for (const [name, f] of Object.entries(VECTOR_FILES)) writeFileSync(new URL(name, VECTOR_DIR), JSON.stringify(f(), null, 1) + '\n')
}
