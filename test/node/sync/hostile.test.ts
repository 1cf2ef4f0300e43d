/**
 * Peers that break /aip/sync/1.0.0 are cut off (stream reset) and scored down; honest state is untouched.
 * Hostile peers are bare libp2p nodes speaking raw bytes on the protocol.
 */
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { rm } from 'node:fs/promises'
import { noise } from '@chainsafe/libp2p-noise'
import { yamux } from '@chainsafe/libp2p-yamux'
import { tcp } from '@libp2p/tcp'
import { lpStream } from '@libp2p/utils'
import { multiaddr } from '@multiformats/multiaddr'
import { createLibp2p } from 'libp2p'
import type { Libp2p, Stream } from '@libp2p/interface'
import { encodeCanonical } from '../../../protocol/cbor.ts'
import { MAX_MESSAGE_BYTES, SYNC_PROTOCOL } from '../../../protocol/sync/constants.ts'
import { SyncError } from '../../../protocol/sync/errors.ts'
import { makeRecord, seed, startSite } from './site.ts'
import type { Site } from './site.ts'

async function bareNode(): Promise<Libp2p> {
  return createLibp2p({ addresses: { listen: ['/ip4/127.0.0.1/tcp/0'] }, transports: [tcp()], connectionEncrypters: [noise()], streamMuxers: [yamux()] })
}

/** A hostile responder: reads one query, answers with `reply` (raw message bytes), or never if null. */
async function hostileResponder(reply: Uint8Array | null): Promise<Libp2p> {
  const node = await bareNode()
  await node.handle(SYNC_PROTOCOL, async (stream: Stream) => {
    const lp = lpStream(stream)
    try {
      await lp.read()
      if (reply !== null) await lp.write(reply)
    } catch {
      // the honest side resets the stream
    }
  })
  return node
}

const SHORT = { onConnect: false, intervalMs: 0, timeouts: { roundMs: 300, sessionMs: 5000 } }

async function withSite(fn: (site: Site) => Promise<void>): Promise<void> {
  const site = await startSite(undefined, SHORT)
  try {
    await fn(site)
  } finally {
    await site.stop()
    await rm(site.dir, { recursive: true, force: true })
  }
}

const isCode = (code: string) => (e: unknown) => e instanceof SyncError && e.code === code

test('a responder that answers garbage is cut off as malformed and scored down', () => withSite(async (site) => {
  const evil = await hostileResponder(new Uint8Array([0xff, 0x00, 0x13]))
  try {
    await assert.rejects(site.sync.syncWith(evil.getMultiaddrs()[0]), isCode('malformed'))
    assert.deepEqual(site.penalised, [evil.peerId.toString()])
    assert.equal(site.sync.violations.get('malformed'), 1)
  } finally {
    await evil.stop()
  }
}))

test('a responder that pushes a record nobody asked for is cut off as unsolicited; nothing is stored', () => withSite(async (site) => {
  const record = makeRecord('pushed', 1, 1)
  // The root answered as an empty listing, plus an unrequested (valid) record.
  const evil = await hostileResponder(encodeCanonical([[new Uint8Array(0)], [record.bytes], false]))
  try {
    await assert.rejects(site.sync.syncWith(evil.getMultiaddrs()[0]), isCode('unsolicited'))
    assert.equal(await site.store.has(record.id), false)
    assert.deepEqual(site.penalised, [evil.peerId.toString()])
  } finally {
    await evil.stop()
  }
}))

test('an initiator that sends a garbage query, or announces an oversized one, gets its stream reset and is scored down', () => withSite(async (site) => {
  await seed(site, Array.from({ length: 50 }, (_, i) => makeRecord('served', i, 1)))
  const evil = await bareNode()
  try {
    for (const [frame, code] of [[null, 'malformed'], [MAX_MESSAGE_BYTES + 1, 'limit']] as const) {
      const stream = await evil.dialProtocol(multiaddr(site.addr()), SYNC_PROTOCOL)
      const lp = lpStream(stream, { maxDataLength: MAX_MESSAGE_BYTES * 2 })
      if (frame === null) await lp.write(new Uint8Array([0xa1, 0x61]))
      else stream.send(Uint8Array.from([0x81, 0x80, 0x80, 0x02])) // varint 4 MiB + 1: only the prefix is sent
      await assert.rejects(lp.read(), 'the stream is reset, no reply')
      const deadline = Date.now() + 5000
      while ((site.sync.violations.get(code) ?? 0) === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20))
      assert.equal(site.sync.violations.get(code), 1, code)
    }
    assert.deepEqual(site.penalised, [evil.peerId.toString(), evil.peerId.toString()])
  } finally {
    await evil.stop()
  }
}))

test('a silent responder, or a silent initiator, is cut off after the round timeout', () => withSite(async (site) => {
  const evil = await hostileResponder(null)
  try {
    await assert.rejects(site.sync.syncWith(evil.getMultiaddrs()[0]), isCode('timeout'))
    const stream = await evil.dialProtocol(multiaddr(site.addr()), SYNC_PROTOCOL)
    await assert.rejects(lpStream(stream).read(), 'reset after the timeout')
    assert.equal(site.sync.violations.get('timeout'), 2)
    assert.deepEqual(site.penalised, [evil.peerId.toString(), evil.peerId.toString()])
  } finally {
    await evil.stop()
  }
}))

test('tombstoned records are not fetched again, nor served', async () => {
  const a = await startSite()
  const b = await startSite()
  try {
    const records = Array.from({ length: 40 }, (_, i) => makeRecord('tomb', i, 1))
    await seed(a, records)
    await b.store.addTombstone(records[3].id, 'retracted by its signer', { signer: records[3].signer })
    await b.index.reload()
    const r = await b.sync.syncWith(multiaddr(a.addr()))
    assert.equal(r.accepted, 39)
    assert.equal(await b.store.has(records[3].id), false)
    // A withdraws records[5]; a fresh site pulling from A does not get it.
    await a.store.addTombstone(records[5].id, 'retracted by its signer', { signer: records[5].signer })
    const c = await startSite()
    try {
      assert.equal((await c.sync.syncWith(multiaddr(a.addr()))).accepted, 39)
      assert.equal(await c.store.has(records[5].id), false)
    } finally {
      await c.stop()
      await rm(c.dir, { recursive: true, force: true })
    }
  } finally {
    for (const s of [a, b]) {
      await s.stop()
      await rm(s.dir, { recursive: true, force: true })
    }
  }
})

test('stop() aborts a session in progress instead of waiting for its timeout', async () => {
  const site = await startSite() // default timeouts: 10 s per round
  const evil = await hostileResponder(null)
  try {
    const pending = site.sync.syncWith(evil.getMultiaddrs()[0])
    await new Promise((r) => setTimeout(r, 200))
    await site.sync.stop()
    await assert.rejects(pending, (e: unknown) => !(e instanceof SyncError), 'aborted by stop, not timed out')
    assert.deepEqual(site.penalised, [])
  } finally {
    await site.stop()
    await evil.stop()
    await rm(site.dir, { recursive: true, force: true })
  }
})
