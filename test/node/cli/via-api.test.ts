import { test } from 'node:test'
import assert from 'node:assert/strict'
import { writeFile } from 'node:fs/promises'
import { spawnSync } from 'node:child_process'
import { join } from 'node:path'
import { createRecord, generateSigningKey, parseRecordId } from '../../../protocol/index.ts'
import { openSite, readApiToken, sitePaths } from '../../../node/site/dir.ts'
import { RecordStore } from '../../../node/store/store.ts'
import { RecordDoor, publicOutcome } from '../../../node/records/index.ts'
import { startApi, storeHandlers, writeNodeFile, removeNodeFile, connectToNode } from '../../../node/api/index.ts'
import { createMetrics, observeStore } from '../../../node/metrics.ts'
import { aip, aipJson, lines, withTmp } from './helpers.ts'

test('while a node holds the store, CLI commands go through its API; a dead API gives a clear error', () => withTmp(async (tmp) => {
  const dir = join(tmp, 'a')
  await aipJson(0, 'init', '--dir', dir, '--nation', 'CH', '--json')
  const site = await openSite(dir)
  assert.equal(await connectToNode(dir), undefined, 'no node.json: no node')

  // What `aip start` does, minus the network: hold the store, serve the API, advertise it in node.json.
  const store = await RecordStore.open(sitePaths(dir).store)
  const door = await RecordDoor.open(store, site.config.genesisCharter)
  const metrics = createMetrics({ defaults: false })
  observeStore(store, metrics)
  const api = await startApi({
    ...storeHandlers(store),
    status: async () => ({ records: await store.count() }),
    peers: async () => [],
    publish: async (bytes) => {
      const o = await door.admit(bytes, { via: 'api' })
      metrics.validationOutcomes.inc({ topic: 'api', action: o.action, code: o.code })
      return publicOutcome(o)
    },
  }, { host: '127.0.0.1', port: 0, token: await readApiToken(dir), maxBodyBytes: site.config.limits.apiMaxBodyBytes, maxPageSize: 2, metrics })
  try {
    await writeNodeFile(dir, { pid: process.pid, api: { host: api.host, port: api.port }, peerId: 'x', addrs: [], startedAt: Date.now() })
    assert.ok(await connectToNode(dir))

    const key = site.key
    const recs = [0, 1, 2].map((i) => createRecord('Retraction', { target: parseRecordId('bafkreigh2akiscaildcqabsyg3dfr6chu3fgpregiymsck7e7aqa4s52zy'), reason: `via api ${i}` }, key, Date.now() + i))
    await writeFile(join(tmp, 'r.cbor'), recs[0].bytes)
    const pub = await aip('publish', '--dir', dir, join(tmp, 'r.cbor'), '--json')
    assert.equal(pub.status, 0, pub.stdout + pub.stderr)
    assert.deepEqual(lines<{ via: string; action: string }>(pub.stdout).map((o) => [o.via, o.action]), [['api', 'accept']])
    assert.equal(await store.has(recs[0].id), true, 'stored by the node, not by the CLI')

    await writeFile(join(tmp, 'more.cbor'), Buffer.concat([recs[1].bytes, recs[2].bytes]))
    const imp = await aip('import', '--dir', dir, join(tmp, 'more.cbor'), '--json')
    assert.equal(imp.status, 0, imp.stdout + imp.stderr)
    assert.equal((lines<{ summary?: { via: string } }>(imp.stdout).pop()!.summary!).via, 'api')

    // Pages of 2 (the API's maxPageSize) are followed to the end.
    const list = await aip('records', 'list', '--dir', dir, '--json')
    assert.equal(list.status, 0, list.stderr)
    assert.equal(lines(list.stdout).length, 5)
    const verify = await aip('records', 'verify', '--dir', dir, recs[2].id)
    assert.equal(verify.status, 0, verify.stdout + verify.stderr)
    const cert = await aipJson<{ via: string; stored: boolean }>(0, 'cert', 'issue', '--dir', dir, '--site-key', Buffer.from(generateSigningKey(new Uint8Array(32).fill(5)).publicKey).toString('hex'), '--json')
    assert.deepEqual([cert.via, cert.stored], ['api', true])
    const text = await metrics.registry.metrics()
    assert.match(text, /aip_validation_outcomes_total\{topic="api",action="accept",code="ok"\} 4/)
    assert.match(text, /aip_store_batch_records_count [1-9]/)
  } finally {
    await api.close()
  }
  // node.json still names a live pid but nobody answers: the CLI cannot use the locked store and says why.
  const stale = await aip('records', 'list', '--dir', dir)
  assert.equal(stale.status, 1)
  assert.match(stale.stderr, /locked .*API did not answer/)
  await store.close()
  // A node.json left by a killed node (its pid is gone) is ignored: the CLI opens the store itself.
  const dead = spawnSync(process.execPath, ['-e', '']).pid!
  await writeNodeFile(dir, { pid: dead, api: { host: '127.0.0.1', port: 9 }, peerId: 'x', addrs: [], startedAt: 0 })
  const direct = await aip('records', 'list', '--dir', dir, '--json')
  assert.equal(direct.status, 0, direct.stderr)
  assert.equal(lines(direct.stdout).length, 6)
  await removeNodeFile(dir)
}))
