/**
 * network-v1 §7.1 on real nodes: a site past its capacity sheds gossip and keeps its queues bounded, without
 * penalising the peer that sent it, and recovers every shed record by sync. The hub runs with a small configured
 * budget (a site MAY configure other values, §7), so a burst from one neighbour is far past its capacity.
 */
import { after, before, describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { benchmarkResult, createTestbed } from '../../../node/net/testbed.ts'
import type { Testbed } from '../../../node/net/testbed.ts'
import { TOPIC_RESULTS } from '../../../node/net/topics.ts'
import { addrOf, admittedCount, meshSize, startNode, until } from './helpers.ts'
import type { LoggedNode } from './helpers.ts'

const NOW = Date.now()
const BURST = 400
const BUDGET = { maxLength: 48, maxBytes: 256 * 1024, concurrency: 4 }

describe('a site past its capacity (§7.1)', () => {
  let work: string
  let bed: Testbed
  let publisher: LoggedNode
  let hub: LoggedNode

  before(async () => {
    work = await mkdtemp(join(tmpdir(), 'aip-net-overload-'))
    bed = await createTestbed(work, 2, NOW)
    // sync only when asked, so the burst reaches the hub by gossip alone
    hub = await startNode(bed.sites[1].dir, { queues: { maxWaitMs: 200, families: { results: BUDGET } }, sync: { onConnect: false, intervalMs: 0 } })
    publisher = await startNode(bed.sites[0].dir, { bootstrap: [addrOf(hub.node)], sync: { onConnect: false, intervalMs: 0 } })
    await until(() => admittedCount(hub.node) === 1 && meshSize(hub.node, TOPIC_RESULTS) === 1 && meshSize(publisher.node, TOPIC_RESULTS) === 1, 'the two sites meshed')
  })

  after(async () => {
    for (const n of [publisher, hub]) await n.node.stop().catch(() => undefined)
    await rm(work, { recursive: true, force: true })
  })

  it('sheds a burst without penalty, keeps its queue inside the budget, and gets every record back by sync', async () => {
    const records = Array.from({ length: BURST }, (_, i) => benchmarkResult(bed.sites[0].key, i, NOW))
    const published = await Promise.all(records.map((r) => publisher.node.publish(r.bytes)))
    assert.ok(published.every((p) => p.action === 'accept'), 'the publisher accepts its own records')
    const counts = hub.node.network.validator.counts
    const seen = (): number => [...counts.values()].reduce((a, b) => a + b, 0)
    await until(() => seen() >= BURST, 'an outcome at the hub for every gossiped record', 30_000)
    const shed = counts.get('ignore/queue_full') ?? 0
    const refused = hub.node.records.queues.refused
    assert.ok(shed > 0, `the hub shed part of the burst (outcomes ${JSON.stringify(Object.fromEntries(counts))})`)
    assert.ok(refused.arrival > 0, `§7.1 rule 1 shed at arrival before the budget was full (${JSON.stringify(refused)})`)
    assert.equal(refused.arrival + refused.turn + refused.full, shed, 'every queue_full is one of the queue\'s refusals')
    assert.equal([...counts.keys()].filter((k) => k.startsWith('reject/')).length, 0, 'nothing was rejected')
    assert.ok(hub.node.records.queues.peakOf('results') <= BUDGET.maxLength, 'the queue never held more than its budget')
    // S2: an IGNORE never penalises; the publisher is still admitted, in the mesh, and scored at 0 or above
    const publisherId = publisher.node.network.host.peerId.toString()
    assert.ok(hub.node.network.host.pubsub.getScore(publisherId) >= 0, `score ${hub.node.network.host.pubsub.getScore(publisherId)}`)
    assert.equal(admittedCount(hub.node), 1)
    assert.equal(hub.node.network.gate.refusals.size, 0)
    // sync-v1: the shed records come back (sync's records queue in the same bounded queue; a round may not fit them all)
    const missing = async (): Promise<number> => (await Promise.all(records.map((r) => hub.node.store.has(r.id)))).filter((h) => !h).length
    assert.equal(await missing(), shed, 'exactly the shed records are missing before sync')
    for (let round = 0; round < 40 && await missing() > 0; round++) await hub.node.sync!.syncAll()
    assert.equal(await missing(), 0, 'every shed record recovered by sync')
    assert.ok(hub.node.records.queues.peakOf('results') <= BUDGET.maxLength, 'sync stayed inside the budget too')
  })
})
