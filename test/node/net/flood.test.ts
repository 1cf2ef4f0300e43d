/**
 * Under a flood of forged records from one neighbour, a site keeps serving its honest neighbours
 * (specs/network-v1.md §6–§7): the flood is rejected, its sender graylisted and cut off, and an honest record sent
 * in the middle of it is stored and relayed.
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
const FLOOD = 500

describe('a flood from one neighbour', () => {
  let work: string
  let bed: Testbed
  let rogue: LoggedNode
  let hub: LoggedNode
  let honest: LoggedNode

  before(async () => {
    work = await mkdtemp(join(tmpdir(), 'aip-net-flood-'))
    bed = await createTestbed(work, 3, NOW)
    hub = await startNode(bed.sites[1].dir)
    rogue = await startNode(bed.sites[0].dir, { bootstrap: [addrOf(hub.node)] })
    honest = await startNode(bed.sites[2].dir, { bootstrap: [addrOf(hub.node)] })
    await until(() => admittedCount(hub.node) === 2 && meshSize(hub.node, TOPIC_RESULTS) === 2, 'DE meshed with CH and FR')
  })

  after(async () => {
    for (const n of [rogue, hub, honest]) await n.node.stop().catch(() => undefined)
    await rm(work, { recursive: true, force: true })
  })

  it('rejects the flood, cuts the sender off, and still takes an honest record sent meanwhile', async () => {
    const genuine = benchmarkResult(bed.sites[2].key, 1, NOW)
    const flood: Array<Promise<unknown>> = []
    for (let i = 0; i < FLOOD; i++) {
      const forged = Uint8Array.from(benchmarkResult(bed.sites[0].key, 1000 + i, NOW).bytes)
      forged[forged.length - 1] ^= 0x01
      flood.push(rogue.node.network.host.pubsub.publish(TOPIC_RESULTS, forged).catch(() => undefined))
      if (i === FLOOD / 2) flood.push(honest.node.publish(genuine.bytes))
    }
    await Promise.all(flood)
    await until(() => hub.node.store.has(genuine.id), 'the honest record at DE', 10_000)
    await until(() => hub.node.network.gate.refusals.get('graylisted') === 1, 'DE to cut CH off', 15_000)
    const counts = hub.node.network.validator.counts
    assert.ok((counts.get('reject/bad_signature') ?? 0) >= 3, 'the flood was rejected')
    assert.equal(counts.get('accept/ok'), 1, 'only the honest record was accepted')
    assert.equal(admittedCount(hub.node), 1, 'FR still connected')
  })
})
