/**
 * Federation gating on real libp2p (specs/network-v1.md §3): an uncertified peer receives nothing and its records
 * are not accepted; a site of another federation is refused; a peer presenting someone else's certificate is
 * refused; a revoked peer is disconnected when the revocation arrives. A hello timeout holds the peer off for a
 * short backoff, a protocol fault bars it (network-v1 §3 H6a).
 */
import { after, before, describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { multiaddr } from '@multiformats/multiaddr'
import { lpStream } from '@libp2p/utils'
import { createRecord } from '../../../protocol/index.ts'
import { HELLO_BACKOFF_BASE_MS, HELLO_PROTOCOL } from '../../../node/net/constants.ts'
import { encodeHello } from '../../../node/net/hello-message.ts'
import { createSiteHost } from '../../../node/net/host.ts'
import type { SiteHost } from '../../../node/net/host.ts'
import { benchmarkResult, createTestbed } from '../../../node/net/testbed.ts'
import type { Testbed } from '../../../node/net/testbed.ts'
import { TOPIC_FEDERATION, TOPIC_RESULTS, TOPICS } from '../../../node/net/topics.ts'
import { keyFromSeed } from '../../../node/site/keys.ts'
import { seedOf } from '../../../node/net/testbed.ts'
import { addrOf, admittedCount, startNode, until } from './helpers.ts'
import type { LoggedNode } from './helpers.ts'

const NOW = Date.now()

describe('federation gating', () => {
  let work: string
  let bed: Testbed
  let other: Testbed
  let a: LoggedNode
  let b: LoggedNode
  const raw: SiteHost[] = []

  before(async () => {
    work = await mkdtemp(join(tmpdir(), 'aip-net-gating-'))
    bed = await createTestbed(join(work, 'fed'), 2, NOW)
    other = await createTestbed(join(work, 'other'), 1, NOW, 'other')
    a = await startNode(bed.sites[0].dir)
    b = await startNode(bed.sites[1].dir, { bootstrap: [addrOf(a.node)] })
    await until(() => admittedCount(a.node) === 1 && admittedCount(b.node) === 1, 'CH and DE to admit each other')
  })

  after(async () => {
    for (const h of raw) await h.libp2p.stop()
    await a.node.stop().catch(() => undefined)
    await b.node.stop().catch(() => undefined)
    await rm(work, { recursive: true, force: true })
  })

  it('an uncertified peer that never says hello receives nothing, its records are ignored, then it is dropped', async () => {
    const key = await keyFromSeed(seedOf('outsider'))
    const outsider = await createSiteHost({ key, listen: ['/ip4/127.0.0.1/tcp/0'], appSpecificScore: () => 0, asyncValidation: false, scoring: false })
    raw.push(outsider)
    for (const t of TOPICS) outsider.pubsub.subscribe(t)
    const received: Uint8Array[] = []
    outsider.pubsub.addEventListener('message', (e) => { received.push(e.detail.data) })
    await outsider.libp2p.dial(multiaddr(addrOf(a.node)))
    await until(() => outsider.pubsub.getSubscribers(TOPIC_RESULTS).length === 1, 'CH to announce its topics to the outsider')
    // a record signed by the outsider's own (uncertified) key, and a genuine record CH publishes meanwhile
    const own = benchmarkResult(key, 0, NOW)
    await outsider.pubsub.publish(TOPIC_RESULTS, own.bytes)
    const genuine = benchmarkResult(bed.sites[0].key, 10, NOW)
    assert.equal((await a.node.publish(genuine.bytes)).action, 'accept')
    await until(() => b.node.store.has(genuine.id), 'the genuine record at DE')
    await until(() => a.node.network.gate.refusals.get('hello_timeout') === 1, 'CH to drop the silent peer', 10_000)
    // §3 H6a: a timeout is no protocol fault: held off for a first backoff, not barred for PEER_BAR_MS
    assert.ok(a.node.network.gate.barredFor(outsider.peerId.toString()) <= HELLO_BACKOFF_BASE_MS, 'a timeout backs off, it does not bar')
    assert.equal(received.length, 0, 'the uncertified peer received nothing')
    assert.equal(await a.node.store.has(own.id), false)
    assert.equal(a.node.network.validator.counts.get('ignore/peer_not_admitted'), 1)
    await until(() => !a.node.peers().some((p) => p.peerId === outsider.peerId.toString()), 'the connection closed')
  })

  it('a site certified by another federation is refused at hello', async () => {
    const stranger = await startNode(other.sites[0].dir, { bootstrap: [addrOf(a.node)] })
    try {
      await until(() => a.node.network.gate.refusals.get('not_certified') === 1, 'CH to refuse the stranger')
      await until(() => !a.node.peers().some((p) => p.peerId === stranger.node.network.host.peerId.toString()), 'the stranger disconnected')
      assert.equal(admittedCount(stranger.node), 0)
    } finally {
      await stranger.node.stop()
    }
  })

  it('a peer presenting another site\'s certificate is refused (key ≠ Noise key)', async () => {
    const impostor = await createSiteHost({ key: await keyFromSeed(seedOf('impostor')), listen: ['/ip4/127.0.0.1/tcp/0'], appSpecificScore: () => 0 })
    raw.push(impostor)
    const conn = await impostor.libp2p.dial(multiaddr(addrOf(b.node)))
    const stream = await conn.newStream(HELLO_PROTOCOL)
    const lp = lpStream(stream)
    // CH's certificate and the charter, presented to DE by a different key
    await lp.write(encodeHello({ certificate: bed.sites[0].certificate.bytes, federation: [bed.charter.bytes] }))
    await assert.rejects(lp.read({ signal: AbortSignal.timeout(5000) }), 'no reply to an impostor')
    await until(() => b.node.network.gate.refusals.get('key_mismatch') === 1, 'DE to refuse the impostor')
    await until(() => impostor.libp2p.getConnections().length === 0, 'the impostor disconnected')
    // barred: DE's connection gater drops it if it comes straight back
    await impostor.libp2p.dial(multiaddr(addrOf(b.node))).catch(() => undefined)
    await until(() => !b.node.peers().some((p) => p.peerId === impostor.peerId.toString()), 'DE to drop the barred impostor')
    assert.equal(b.node.network.gate.refusals.get('key_mismatch'), 1, 'no second hello was needed')
    assert.ok(b.node.network.gate.barredFor(impostor.peerId.toString()) > HELLO_BACKOFF_BASE_MS, 'a protocol fault bars for PEER_BAR_MS')
  })

  it('a genuine record on the wrong topic is rejected (§4)', async () => {
    const misplaced = benchmarkResult(bed.sites[1].key, 12, NOW)
    await b.node.network.host.pubsub.publish(TOPIC_FEDERATION, misplaced.bytes) // not its topic; DE skips its own checks
    await until(() => a.node.network.validator.counts.get('reject/wrong_topic') === 1, 'CH to reject it')
    assert.equal(await a.node.store.has(misplaced.id), false)
  })

  it('a revocation of a connected peer\'s key disconnects it', async () => {
    const revocation = createRecord('Revocation', { target_key: bed.sites[1].key.publicKey, effective_from: NOW, reason: 'key compromised' },
      bed.sites[1].rootKey, NOW + 1)
    assert.equal((await a.node.publish(revocation.bytes)).action, 'accept')
    await until(() => a.node.network.gate.refusals.get('revoked') === 1, 'CH to drop DE')
    assert.equal(admittedCount(a.node), 0)
    const late = benchmarkResult(bed.sites[1].key, 11, NOW + 2)
    assert.equal((await a.node.publish(late.bytes)).action, 'ignore', 'records DE signs after the revocation are no longer accepted')
  })
})
