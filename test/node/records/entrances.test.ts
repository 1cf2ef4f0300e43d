/**
 * One door (issue 11): the same bytes get the same action and code by every entrance of a running site — gossip
 * (the gossip adapter, from an admitted peer), sync (a real session pulling from a peer over 127.0.0.1), hello,
 * POST /v1/records, local publishing, and `aip import` with the store opened by the CLI (after the node stops).
 */
import '../../../node/polyfill.ts'
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { GossipsubMessage } from '@libp2p/gossipsub'
import { createRecord, generateSigningKey, parseRecordId, recordId } from '../../../protocol/index.ts'
import { connectToNode } from '../../../node/api/index.ts'
import { openRecords } from '../../../node/records/access.ts'
import { benchmarkResult, createTestbed } from '../../../node/net/testbed.ts'
import { TOPIC_RESULTS } from '../../../node/net/topics.ts'
import type { AdmitOutcome, Source } from '../../../node/records/index.ts'
import { startSiteNode } from '../../../node/site-node.ts'
import { startSite } from '../sync/site.ts'
import { addrOf, admittedCount, until } from '../net/helpers.ts'

const NOW = Date.now()

test('hostile inputs get the same action and code by gossip, sync, hello, API, local publishing and import', async () => {
  const work = await mkdtemp(join(tmpdir(), 'aip-entrances-'))
  const bed = await createTestbed(work, 2, NOW)
  const quiet = (): void => {}
  const a = await startSiteNode(bed.sites[0].dir, { listen: ['/ip4/127.0.0.1/tcp/0'], bootstrap: [], log: quiet, sync: { onConnect: false, intervalMs: 0 } })
  const b = await startSiteNode(bed.sites[1].dir, { listen: ['/ip4/127.0.0.1/tcp/0'], bootstrap: [addrOf(a)], api: false, log: quiet, sync: false })
  const server = await startSite()
  let aStopped = false
  try {
    await until(() => admittedCount(a) === 1 && admittedCount(b) === 1, 'hello both ways')
    const key = bed.sites[1].key
    const good = benchmarkResult(key, 1, NOW)
    const stored = benchmarkResult(key, 2, NOW)
    assert.equal((await a.records.admit(stored.bytes, { via: 'local' })).code, 'ok')
    const forged = Uint8Array.from(benchmarkResult(key, 3, NOW).bytes)
    forged[forged.length - 5] ^= 0x01
    const inputs: Record<string, Uint8Array> = {
      'indefinite-length array': Uint8Array.of(0x9f, 0x01, 0xff),
      'indefinite-length envelope': Uint8Array.from([0xd2, 0x9f, ...good.bytes.subarray(2), 0xff]),
      'non-canonical head': Uint8Array.from([0xd2, 0x98, 0x04, ...good.bytes.subarray(2)]),
      truncated: good.bytes.subarray(0, good.bytes.length - 7),
      'valid then garbage': Uint8Array.from([...good.bytes, 0x00, 0xff]),
      duplicate: stored.bytes,
      'forged signature': forged,
      'uncertified signer': createRecord('Retraction', { target: parseRecordId(stored.id), reason: 'x' }, generateSigningKey(new Uint8Array(32).fill(9)), NOW).bytes,
    }
    const expected: Record<string, string> = {
      'indefinite-length array': 'reject non_canonical',
      'indefinite-length envelope': 'reject non_canonical',
      'non-canonical head': 'reject bad_envelope',
      truncated: 'reject undecodable',
      'valid then garbage': 'reject undecodable',
      duplicate: 'ignore duplicate',
      'forged signature': 'reject bad_signature',
      'uncertified signer': 'ignore unknown_signer',
    }
    const got = new Map<string, Map<string, string>>() // entrance → input → "action code"
    const seen = (entrance: string, name: string, o: { action: string; code: string }): void => {
      const m = got.get(entrance) ?? new Map<string, string>()
      m.set(name, `${o.action} ${o.code}`)
      got.set(entrance, m)
    }
    const byId = new Map(Object.entries(inputs).map(([name, bytes]) => [recordId(bytes), name]))
    const outcomes: Array<{ outcome: AdmitOutcome; source: Source }> = []
    a.records.on('outcome', (e) => outcomes.push(e))

    // gossip: the gossip adapter, as gossipsub hands it a message from the admitted peer B
    const peerB = b.network.host.peerId
    for (const [name, data] of Object.entries(inputs)) {
      const m = { propagationSource: peerB, msgId: name, msg: { type: 'unsigned', topic: TOPIC_RESULTS, data } } as unknown as GossipsubMessage
      seen('gossip', name, await a.network.validator.handle(m))
    }
    // hello: the records of a peer's hello, once its certificate passed
    for (const [name, data] of Object.entries(inputs)) seen('hello', name, await a.records.admit(data, { via: 'hello', peer: peerB.toString() }))
    // API: POST /v1/records (what `aip import` does through a running node)
    const client = await connectToNode(bed.sites[0].dir)
    assert.ok(client !== undefined)
    for (const [name, data] of Object.entries(inputs)) seen('api', name, await client.publish(data))
    // local publishing
    for (const [name, data] of Object.entries(inputs)) seen('local', name, await a.publish(data))
    // sync: a real session pulls every input (but the one A holds: sync never asks for a duplicate) from a peer
    for (const [name, bytes] of Object.entries(inputs)) {
      if (name === 'duplicate') continue
      await server.store.put({ id: recordId(bytes), bytes, type: 'BenchmarkResult', signer: new Uint8Array(32), created: 1, body: null })
    }
    await server.index.reload()
    const before = outcomes.length
    await a.sync!.syncWith(server.libp2p.getMultiaddrs()[0]!).catch(() => undefined) // cut off at its first REJECT
    for (const { outcome, source } of outcomes.slice(before)) {
      if (source.via === 'sync' && outcome.id !== undefined) seen('sync', byId.get(outcome.id)!, outcome)
    }
    await a.stop()
    aStopped = true
    // import: `aip import` with the store opened by the CLI itself
    const access = await openRecords(bed.sites[0].dir)
    try {
      assert.equal(access.via, 'store')
      for (const [name, data] of Object.entries(inputs)) seen('import', name, await access.publish(data))
    } finally {
      await access.close()
    }

    for (const [entrance, m] of got) {
      for (const [name, want] of Object.entries(expected)) {
        if (entrance === 'sync' && name === 'duplicate') continue
        assert.equal(m.get(name), want, `${name} by ${entrance}`)
      }
    }
    assert.deepEqual([...got.keys()].sort(), ['api', 'gossip', 'hello', 'import', 'local', 'sync'])
  } finally {
    if (!aStopped) await a.stop().catch(() => undefined)
    await b.stop().catch(() => undefined)
    await server.stop().catch(() => undefined)
    await rm(work, { recursive: true, force: true })
  }
})
