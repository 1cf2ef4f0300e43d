/**
 * specs/network-v1.md §2 on real libp2p hosts over TCP on 127.0.0.1 (node/net/host.ts): yamux window updates at
 * half a window (node/net/patches/yamux-window.ts) and one socket write per connection per turn
 * (node/net/patches/write-coalescing.ts). Both must leave every byte delivered, in order, also past the initial window.
 */
import '../../../node/polyfill.ts'
import assert from 'node:assert/strict'
import { connect, createServer } from 'node:net'
import type { AddressInfo, Socket } from 'node:net'
import { after, before, describe, it } from 'node:test'
import { lpStream } from '@libp2p/utils'
import type { ConnectionEncrypter, MessageStream } from '@libp2p/interface'
import { YamuxStream } from '@chainsafe/libp2p-yamux/stream'
import type { Uint8ArrayList } from 'uint8arraylist'
import { createSiteHost } from '../../../node/net/host.ts'
import type { SiteHost } from '../../../node/net/host.ts'
import { seedOf } from '../../../node/net/testbed.ts'
import { keyFromSeed } from '../../../node/site/keys.ts'
import { coalesceSocketWrites } from '../../../node/net/patches/write-coalescing.ts'
import { wrapEncrypter } from '../../../node/net/wrap-encrypter.ts'
import { assertYamuxWindowPatch } from '../../../node/net/patches/yamux-window.ts'

const PROTOCOL = '/aip-test/transfer/1.0.0'

/** Counts the plaintext writes (yamux frames, alone or batched) a host sends, by wrapping its Noise encrypter. */
function counting(counter: { writes: number }) {
  return <C>(factory: (c: C) => ConnectionEncrypter) => wrapEncrypter(factory, {
    secured: (secured) => {
      const stream = secured.connection as unknown as { sendData(d: Uint8ArrayList): unknown }
      const send = stream.sendData.bind(stream)
      stream.sendData = (d) => {
        counter.writes++
        return send(d)
      }
      return secured
    },
  })
}

describe('transport tuning (network-v1 §2)', () => {
  let sender: SiteHost
  let receiver: SiteHost
  const receiverWrites = { writes: 0 }
  const received: Uint8Array[] = []
  const streamsSeen: unknown[] = []

  before(async () => {
    const host = async (label: string, hooks = {}) => createSiteHost({
      key: await keyFromSeed(seedOf(`transport:${label}`)), listen: ['/ip4/127.0.0.1/tcp/0'], appSpecificScore: () => 0, hooks,
    })
    sender = await host('sender')
    receiver = await host('receiver', { wrapEncrypter: counting(receiverWrites) })
    await receiver.libp2p.handle(PROTOCOL, async (stream) => {
      streamsSeen.push(stream)
      const lp = lpStream(stream, { maxDataLength: 1 << 20 })
      while (true) {
        const msg = await lp.read().catch(() => undefined)
        if (msg === undefined) break
        received.push(msg.subarray())
      }
    })
  })
  after(async () => {
    await sender?.libp2p.stop()
    await receiver?.libp2p.stop()
  })

  it('delivers 3 MB of 1 KiB messages in order (past the 256 KiB initial window) with few window updates', async () => {
    const conn = await sender.libp2p.dial(receiver.libp2p.getMultiaddrs()[0])
    const stream = await conn.newStream(PROTOCOL)
    const lp = lpStream(stream, { maxDataLength: 1 << 20 })
    const N = 3000
    const msg = (i: number): Uint8Array => new Uint8Array(1024).fill(i % 251)
    const before = receiverWrites.writes
    for (let i = 0; i < N; i++) await lp.write(msg(i))
    const deadline = Date.now() + 20_000
    while (received.length < N && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10))
    assert.equal(received.length, N, 'every message arrived')
    for (let i = 0; i < N; i += 97) assert.ok(Buffer.from(received[i]).equals(msg(i)), `message ${i} intact and in order`)
    // libp2p-yamux alone answers every data frame: ≥ N writes back. At half a window (128 KiB): ~3 MB / 128 KiB ≈ 24.
    const updates = receiverWrites.writes - before
    assert.ok(updates < N / 20, `receiver wrote ${updates} frames back for ${N} data frames`)
    assertYamuxWindowPatch(streamsSeen[0])
    assert.ok(streamsSeen[0] instanceof YamuxStream)
    await stream.close()
  })
})

describe('write coalescing (node/net/patches/write-coalescing.ts)', () => {
  it('corks a socket for the rest of the turn: many writes leave together, intact and in order', async () => {
    const chunks: Buffer[] = []
    let reads = 0
    const server = createServer((s) => s.on('data', (d: Buffer) => { reads++; chunks.push(d) }))
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
    const socket: Socket = connect((server.address() as AddressInfo).port, '127.0.0.1')
    await new Promise<void>((r) => socket.once('connect', r))
    const writes: number[] = []
    const conn = {
      socket,
      sendData(data: { subarray(): Uint8Array }) {
        writes.push(socket.writableCorked)
        return { sentBytes: 0, canSendMore: socket.write(data.subarray()) }
      },
    }
    coalesceSocketWrites(conn as unknown as MessageStream)
    const payload = (i: number): Uint8Array => new Uint8Array(100).fill(i)
    for (let i = 0; i < 50; i++) conn.sendData({ subarray: () => payload(i) })
    assert.ok(writes.every((c) => c === 1), 'every write of the turn went to a corked socket')
    assert.equal(socket.writableLength, 5000, 'all 50 writes are held until the end of the turn')
    await new Promise((r) => process.nextTick(r))
    assert.equal(socket.writableCorked, 0, 'uncorked on the next tick')
    const deadline = Date.now() + 5000
    while (Buffer.concat(chunks).length < 5000 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 5))
    const all = Buffer.concat(chunks)
    assert.equal(all.length, 5000)
    for (let i = 0; i < 50; i++) assert.deepEqual(all.subarray(i * 100, i * 100 + 100), Buffer.from(payload(i)))
    assert.ok(reads >= 1)
    socket.destroy()
    await new Promise((r) => server.close(r))
  })
})
