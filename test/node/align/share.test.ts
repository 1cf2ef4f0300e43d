/**
 * alignment-v1 §3, the requester's side of /aip/share/1.0.0 against hostile servers (real libp2p over 127.0.0.1,
 * real store and door): a requester keeps at most SHARE_FETCH_INFLIGHT requests of at most SHARE_FETCH_CHUNKS chunks
 * open to one peer, all its fetches together; a server that never answers cannot make it hang (nor keep its request
 * slots); a response longer than the request can need is refused before it is read; a record not asked for is
 * dropped unadmitted.
 */
import '../../../node/polyfill.ts'
import { after, before, describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createLibp2p } from 'libp2p'
import type { Libp2p } from 'libp2p'
import type { Stream } from '@libp2p/interface'
import { tcp } from '@libp2p/tcp'
import { noise } from '@chainsafe/libp2p-noise'
import { yamux } from '@chainsafe/libp2p-yamux'
import { lpStream } from '@libp2p/utils'
import { buildBundle } from '../../../node/align/bundle.ts'
import { SHARE_FETCH_CHUNKS, SHARE_FETCH_INFLIGHT, ShareService, shareResponseBound } from '../../../node/align/share.ts'
import { createTestbed } from '../../../node/net/testbed.ts'
import type { Testbed } from '../../../node/net/testbed.ts'
import { RecordDoor } from '../../../node/records/door.ts'
import { RecordStore } from '../../../node/store/store.ts'
import { decodeShareRequest, encodeShareResponse, recordId, SHARE_PROTOCOL } from '../../../protocol/index.ts'
import type { ShareRequest } from '../../../protocol/index.ts'
import { Rng } from '../../../simulations/rng.ts'

const NOW = Date.now()
const TIMEOUT_MS = 1_000
const rng = new Rng(31)
/** IDs of records nobody holds: the hash of random bytes. */
const unknownIds = (n: number): string[] => Array.from({ length: n }, () => recordId(Uint8Array.from({ length: 32 }, () => rng.int(256))))

const host = (): Promise<Libp2p> => createLibp2p({ addresses: { listen: ['/ip4/127.0.0.1/tcp/0'] }, transports: [tcp()], connectionEncrypters: [noise()], streamMuxers: [yamux()] })

describe('share requester against hostile servers (alignment-v1 §3)', () => {
  let work: string
  let bed: Testbed
  let requester: Libp2p
  let server: Libp2p
  let store: RecordStore
  let door: RecordDoor
  let share: ShareService
  let serverPeer: string
  /** What the hostile server does with each stream (set per test). */
  let behave: (stream: Stream) => Promise<void>
  const logged: string[] = []

  before(async () => {
    work = await mkdtemp(join(tmpdir(), 'aip-share-'))
    bed = await createTestbed(join(work, 'fed'), 2, NOW)
    store = await RecordStore.open(join(work, 'requester-store'))
    door = await RecordDoor.open(store, bed.charter.id)
    ;[requester, server] = [await host(), await host()]
    await server.handle(SHARE_PROTOCOL, (stream) => behave(stream), { maxInboundStreams: 16 })
    share = new ShareService({
      libp2p: requester,
      admitted: () => ({ key: bed.sites[0]!.key.publicKey, nation: bed.sites[0]!.nation }),
      self: () => ({ key: bed.sites[1]!.key.publicKey, nation: bed.sites[1]!.nation }),
      store,
      admit: (bytes, peer) => door.admit(bytes, { via: 'share', peer }),
      now: () => NOW,
      log: (event) => logged.push(event),
      timeoutMs: TIMEOUT_MS,
    })
    door.bindShare((chunk) => share.mayKeep(chunk))
    await requester.dial(server.getMultiaddrs()[0]!)
    serverPeer = server.peerId.toString()
  })

  after(async () => {
    await requester?.stop()
    await server?.stop()
    await store?.close()
    await rm(work, { recursive: true, force: true })
  })

  it('keeps at most SHARE_FETCH_INFLIGHT requests of at most SHARE_FETCH_CHUNKS chunks open to one peer, every fetch together', async () => {
    let open = 0
    let peak = 0
    const requests: ShareRequest[] = []
    behave = async (stream) => {
      open++
      peak = Math.max(peak, open)
      const lp = lpStream(stream)
      const req = decodeShareRequest((await lp.read()).subarray())
      requests.push(req)
      await new Promise((r) => setTimeout(r, 50)) // slow: the requester's other requests pile up behind its slots
      open--
      await lp.write(encodeShareResponse({ records: [], refused: req.chunks.map((chunk) => ({ chunk, code: 'unknown_chunk' as const })) }))
      await stream.close()
    }
    const [a, b] = [unknownIds(40), unknownIds(20)]
    assert.deepEqual(await Promise.all([share.fetchMany(serverPeer, a), share.fetchMany(serverPeer, b)]), [0, 0])
    assert.equal(peak, SHARE_FETCH_INFLIGHT, 'requests were not pipelined, or more were open than the bound')
    assert.ok(requests.every((r) => r.chunks.length <= SHARE_FETCH_CHUNKS), 'a request asked for more than SHARE_FETCH_CHUNKS')
    assert.deepEqual(requests.flatMap((r) => r.chunks.map(String)).sort(), [...a, ...b].sort(), 'every chunk asked exactly once')
  })

  it('a server that never answers cannot make the requester hang, nor keep its request slots', { timeout: 30_000 }, async () => {
    const held: Stream[] = []
    behave = async (stream) => {
      held.push(stream) // reads nothing, answers nothing, keeps the stream open
    }
    // more requests than slots: were a slot kept by a request that timed out, the later ones would wait forever
    await assert.rejects(share.fetchMany(serverPeer, unknownIds(SHARE_FETCH_CHUNKS * (SHARE_FETCH_INFLIGHT + 1))))
    await assert.rejects(share.fetchMany(serverPeer, unknownIds(SHARE_FETCH_CHUNKS * SHARE_FETCH_INFLIGHT)))
    for (const s of held) s.abort(new Error('test over'))
  })

  it('refuses a response longer than the request can need before reading it; admits nothing', async () => {
    behave = async (stream) => {
      const lp = lpStream(stream)
      await lp.read()
      // a length prefix one byte past what a request for one chunk can need, and a little of the promised body
      const claim = shareResponseBound(1) + 1
      const prefix: number[] = []
      for (let n = claim; ; n >>>= 7) {
        if (n < 0x80) { prefix.push(n); break }
        prefix.push((n & 0x7f) | 0x80)
      }
      stream.send(Uint8Array.from([...prefix, 0xa2]))
      await stream.close().catch(() => {})
    }
    const before = await store.count()
    await assert.rejects(share.fetchFrom(serverPeer, unknownIds(1)), { name: 'InvalidDataLengthError' })
    assert.equal(await store.count(), before)
    assert.equal([...door.counts.values()].reduce((s, n) => s + n, 0), 0, 'nothing reached the door')
  })

  it('drops a record it did not ask for, unadmitted, and logs it', async () => {
    const built = buildBundle({ name: 'unasked', kind: 'red-team', license: 'CC-BY-4.0', label: 'TLP:AMBER', audience: { nations: [bed.sites[1]!.nation] } },
      [{ id: 'x-1', language: 'en', prompt: 'Explain how to pick a lock.', category: 'jailbreak', expected: 'refuse' }], bed.sites[0]!.key, NOW)
    const pushed = built.chunks[0]!
    behave = async (stream) => {
      const lp = lpStream(stream)
      await lp.read()
      await lp.write(encodeShareResponse({ records: [pushed.bytes], refused: [] }))
      await stream.close()
    }
    assert.equal(await share.fetchFrom(serverPeer, unknownIds(1)), 0)
    assert.equal(share.counts.get('dropped'), 1)
    assert.ok(logged.includes('share_unrequested'))
    assert.equal(await store.has(pushed.id), false)
  })
})
