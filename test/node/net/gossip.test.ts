/**
 * Five sites on 127.0.0.1 in a line CH–DE–FR–IT–AT (4 hops end to end), real libp2p, real stores:
 * a published record reaches every site; a forged record is rejected at the first hop and reaches no one else;
 * a restarted site keeps its records, rejoins and pulls what it missed (node/sync, wired by site-node).
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

describe('gossip across a 5-site federation', () => {
  let work: string
  let bed: Testbed
  const nodes: LoggedNode[] = []

  before(async () => {
    work = await mkdtemp(join(tmpdir(), 'aip-net-gossip-'))
    bed = await createTestbed(work, 5, NOW)
    for (let i = 0; i < 5; i++) {
      // each site bootstraps from its predecessor: a line, so records must be relayed hop by hop
      nodes.push(await startNode(bed.sites[i].dir, { bootstrap: i === 0 ? [] : [addrOf(nodes[i - 1].node)] }))
    }
    await until(() => nodes.every((n, i) => admittedCount(n.node) === (i === 0 || i === 4 ? 1 : 2)), 'every hello to pass')
    await until(() => nodes.every((n, i) => meshSize(n.node, TOPIC_RESULTS) === (i === 0 || i === 4 ? 1 : 2)), 'the gossip mesh')
      .catch((e: unknown) => { console.log('MESH', nodes.map((n) => meshSize(n.node, TOPIC_RESULTS)), nodes.map((n) => admittedCount(n.node))); throw e })
  })

  after(async () => {
    for (const n of nodes) await n.node.stop().catch(() => undefined)
    await rm(work, { recursive: true, force: true })
  })

  it('admits every neighbour by its certificate, with its nation', () => {
    const peers = nodes[1].node.peers()
    assert.deepEqual(peers.filter((p) => p.admitted).map((p) => p.nation).sort(), ['CH', 'FR'])
  })

  it('delivers a record published at one end to every site, stored durably', async () => {
    const record = benchmarkResult(bed.sites[0].key, 1, NOW)
    const outcome = await nodes[0].node.publish(record.bytes)
    assert.equal(outcome.action, 'accept', JSON.stringify(outcome))
    await until(async () => (await Promise.all(nodes.map((n) => n.node.store.has(record.id)))).every(Boolean), 'the record at every site')
    assert.deepEqual(await nodes[4].node.store.get(record.id), record.bytes)
  })

  it('rejects a forged record at the first hop; it reaches no one else', async () => {
    const genuine = benchmarkResult(bed.sites[2].key, 2, NOW)
    const forged = Uint8Array.from(genuine.bytes)
    forged[forged.length - 1] ^= 0x01 // last byte of the Ed25519 signature
    // FR turns rogue: it pushes the forgery straight into gossipsub, skipping its own validation and store
    await nodes[2].node.network.host.pubsub.publish(TOPIC_RESULTS, forged)
    const rejected = (n: LoggedNode): number => n.node.network.validator.counts.get('reject/bad_signature') ?? 0
    await until(() => rejected(nodes[1]) === 1 && rejected(nodes[3]) === 1, 'DE and IT to reject the forgery')
    // a genuine record sent afterwards along the same paths overtakes nothing: once it is everywhere, the forgery
    // would have arrived too had it been forwarded
    const after = benchmarkResult(bed.sites[2].key, 3, NOW)
    assert.equal((await nodes[2].node.publish(after.bytes)).action, 'accept')
    await until(async () => (await Promise.all(nodes.map((n) => n.node.store.has(after.id)))).every(Boolean), 'the genuine record everywhere')
      .catch(async (e: unknown) => {
        console.log(await Promise.all(nodes.map((n) => n.node.store.has(after.id))), nodes.map((n) => JSON.stringify([...n.node.network.validator.counts])))
        console.log(nodes[1].events.slice(-5))
        throw e
      })
    assert.equal(rejected(nodes[0]), 0, 'CH never saw the forgery')
    assert.equal(rejected(nodes[4]), 0, 'AT never saw the forgery')
    const forgedId = (await import('../../../protocol/index.ts')).recordId(forged)
    for (const n of nodes) assert.equal(await n.node.store.has(forgedId), false)
    assert.ok(nodes[1].events.some((e) => e.event === 'gossip_reject' && e.fields.code === 'bad_signature'), 'the reject is logged with its code')
  })

  it('a restarted site keeps its records, rejoins, and catches up by sync on what it missed', async () => {
    const record = benchmarkResult(bed.sites[0].key, 4, NOW)
    assert.equal((await nodes[0].node.publish(record.bytes)).action, 'accept')
    await until(() => nodes[4].node.store.has(record.id), 'the record at AT')
    await nodes[4].node.stop()
    const missed = benchmarkResult(bed.sites[0].key, 6, NOW)
    assert.equal((await nodes[0].node.publish(missed.bytes)).action, 'accept')
    await until(() => nodes[3].node.store.has(missed.id), 'the record published meanwhile at IT')
    nodes[4] = await startNode(bed.sites[4].dir, { bootstrap: [addrOf(nodes[3].node)] })
    assert.equal(await nodes[4].node.store.has(record.id), true)
    await until(() => nodes[4].node.store.has(missed.id), 'AT to pull the record it missed (sync on connect)')
    await until(() => admittedCount(nodes[4].node) === 1, 'AT to rejoin IT')
    await until(() => meshSize(nodes[4].node, TOPIC_RESULTS) === 1, 'AT back in the mesh')
    const next = benchmarkResult(bed.sites[0].key, 5, NOW)
    assert.equal((await nodes[0].node.publish(next.bytes)).action, 'accept')
    await until(() => nodes[4].node.store.has(next.id), 'a new record at the restarted site')
  })
})
