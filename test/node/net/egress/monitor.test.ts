import '../../../../node/polyfill.ts'
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { createLibp2p } from 'libp2p'
import type { Libp2p } from 'libp2p'
import { memory } from '@libp2p/memory'
import { noise } from '@chainsafe/libp2p-noise'
import { yamux } from '@chainsafe/libp2p-yamux'
import { EgressMonitor, WeightIndex } from '../../../../node/net/egress/index.ts'

const PROTO = '/aip-test/sink/1.0.0'

function bytes(n: number, seed: number): Uint8Array {
  const b = new Uint8Array(n)
  let x = seed
  for (let i = 0; i < n; i++) { x = (Math.imul(x, 1103515245) + 12345) >>> 0; b[i] = x >>> 24 }
  return b
}

async function node(name: string, monitor: EgressMonitor): Promise<Libp2p> {
  const n = await createLibp2p({
    addresses: { listen: [`/memory/egress-test-${name}`] },
    transports: [memory()],
    connectionEncrypters: [monitor.wrap(noise())],
    streamMuxers: [yamux()],
  })
  await n.handle(PROTO, async (stream) => {
    for await (const _ of stream) { /* drain */ }
    await stream.close().catch(() => {})
  })
  return n
}

async function sendOver(from: Libp2p, to: Libp2p, data: Uint8Array): Promise<void> {
  const s = await from.dialProtocol(to.getMultiaddrs()[0], PROTO)
  for (let i = 0; i < data.length; i += 3000) {
    const more = s.send(data.subarray(i, i + 3000))
    // An aborted stream never drains: fail instead of waiting.
    if (s.status !== 'open') throw new Error(`stream ${s.status}`)
    if (!more) await s.onDrain()
  }
  await s.close()
}

test('the tap sees plaintext before Noise: byte counts, weight runs found, honest traffic clean', async () => {
  const weights = bytes(50_000, 7)
  const index = new WeightIndex([{ name: 'model.safetensors', bytes: weights }])
  const mA = new EgressMonitor({ index })
  const mB = new EgressMonitor({ index: new WeightIndex([{ name: 'other.safetensors', bytes: bytes(50_000, 8) }]) })
  const a = await node('a1', mA)
  const b = await node('b1', mB)
  try {
    await sendOver(a, b, bytes(20_000, 9)) // unrelated payload
    assert.equal(mA.weightBytes, 0)
    assert.ok(mA.bytesSent >= 20_000, `counted ${mA.bytesSent}`)
    assert.equal(mA.bytesByPeer.get(b.peerId.toString()), mA.bytesSent)
    assert.ok(mB.bytesSent > 0 && mB.bytesSent < 20_000)
    // The weights, shifted by 5 bytes and split into 3000-byte writes (each becomes a yamux frame with a header).
    const leak = new Uint8Array(10_005)
    leak.set(weights.subarray(1234, 1234 + 10_000), 5)
    await sendOver(a, b, leak)
    // yamux headers (12 bytes) interrupt the run every 3000 bytes; everything else is attributed.
    assert.ok(mA.weightBytes >= 10_000 - 4 * 12 && mA.weightBytes <= 10_000, `found ${mA.weightBytes}`)
    assert.equal(mA.events[0].peer, b.peerId.toString())
    assert.equal(mA.events[0].hit.weights.offset, 1234)
    assert.equal(mB.weightBytes, 0)
  } finally {
    await a.stop()
    await b.stop()
  }
})

test('block mode refuses the send and aborts the connection: the weight bytes never reach the socket', async () => {
  const weights = bytes(50_000, 11)
  const mA = new EgressMonitor({ index: new WeightIndex([{ name: 'w.bin', bytes: weights }]), block: true })
  const a = await node('a2', mA)
  const b = await node('b2', new EgressMonitor())
  try {
    await sendOver(a, b, bytes(5000, 12))
    const before = mA.bytesSent
    await assert.rejects(sendOver(a, b, weights.subarray(0, 5000)))
    assert.ok(mA.events.length > 0 && mA.events.every((e) => e.blocked))
    assert.ok(mA.bytesSent - before < 200, `only frames before the weights left: ${mA.bytesSent - before}`)
  } finally {
    await a.stop()
    await b.stop()
  }
})
