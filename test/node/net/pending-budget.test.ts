/**
 * Fault 10 (issue 11), on real libp2p over 127.0.0.1: what a peer still in hello sends waits inside the validation
 * budget (network-v1 §6: at most PENDING_PEERS_MAX_BYTES for all such peers; more is IGNOREd queue_full), and the
 * per-peer share of the queue counts bytes, not only messages (§7).
 */
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { randomBytes } from 'node:crypto'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { multiaddr } from '@multiformats/multiaddr'
import { generateSigningKey } from '../../../protocol/index.ts'
import { PENDING_PEERS_MAX_BYTES, VALIDATION_QUEUE_PER_PEER_MAX_BYTES } from '../../../node/net/constants.ts'
import { createSiteHost } from '../../../node/net/host.ts'
import { createTestbed } from '../../../node/net/testbed.ts'
import { TOPIC_RESULTS } from '../../../node/net/topics.ts'
import { ValidationQueues } from '../../../node/records/index.ts'
import { addrOf, startNode, until } from './helpers.ts'

const NOW = Date.now()

test('a peer that never passes hello holds at most PENDING_PEERS_MAX_BYTES of the validation budget', async () => {
  const work = await mkdtemp(join(tmpdir(), 'aip-pending-'))
  const bed = await createTestbed(work, 1, NOW)
  const a = await startNode(bed.sites[0].dir, { sync: false })
  // A bare AIP host with a fresh key: it connects and publishes, and never sends a hello.
  const flooder = await createSiteHost({ key: generateSigningKey(new Uint8Array(32).fill(77)), listen: [], appSpecificScore: () => 0 })
  try {
    await flooder.libp2p.dial(multiaddr(addrOf(a.node)))
    await until(() => flooder.pubsub.getSubscribers(TOPIC_RESULTS).length === 1, 'the subscription')
    const messages = 64
    for (let i = 0; i < messages; i++) await flooder.pubsub.publish(TOPIC_RESULTS, randomBytes(200 * 1024))
    const counts = a.node.network.validator.counts
    await until(() => (counts.get('ignore/queue_full') ?? 0) + (counts.get('ignore/peer_not_admitted') ?? 0) === messages, 'every message judged', 20_000)
    const queues = a.node.records.queues
    assert.ok(queues.pendingBytesMax > 0, 'nothing waited for the hello')
    assert.ok(queues.pendingBytesMax <= PENDING_PEERS_MAX_BYTES, `${queues.pendingBytesMax} bytes waited for a hello`)
    assert.ok((counts.get('ignore/queue_full') ?? 0) >= messages - Math.floor(PENDING_PEERS_MAX_BYTES / (200 * 1024)), 'the excess was not refused')
    assert.equal(queues.pendingBytes, 0)
    assert.equal(queues.length, 0)
  } finally {
    await flooder.libp2p.stop()
    await a.node.stop()
    await rm(work, { recursive: true, force: true })
  }
})

test('the per-peer share of the validation queue counts bytes (network-v1 §7)', () => {
  const q = new ValidationQueues()
  const big = 2 * 1024 * 1024
  const tickets = []
  let t = q.reserve('results', big, 'p')
  while (typeof t !== 'string') {
    tickets.push(t)
    t = q.reserve('results', big, 'p')
  }
  assert.equal(tickets.length, Math.floor(VALIDATION_QUEUE_PER_PEER_MAX_BYTES / big), 'a peer held more than its byte share')
  assert.equal(typeof q.reserve('results', big, 'other'), 'object', 'another peer is crowded out')
  for (const x of tickets) x.release()
  assert.equal(q.length, 1)
})
