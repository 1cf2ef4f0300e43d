/**
 * The patches into dependencies' non-public members (node/net/patches/README.md): each one's self-check passes on
 * the pinned versions (so an upgrade that breaks one fails here), a real node logs and reports them, a failed check
 * disables its patch, and the README's versions are package.json's exact pins and the lock's.
 */
import '../../../node/polyfill.ts'
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { startSiteNode } from '../../../node/site-node.ts'
import { initSite } from '../../../node/site/init.ts'
import { PATCH_NAMES, forgetBackoff, patchEnabled } from '../../../node/net/patches/index.ts'
import { checkGossipsubBackoff, checkGossipsubScoreCache } from '../../../node/net/patches/gossipsub-state.ts'
import { checkGossipsubDeliveries } from '../../../node/net/patches/gossipsub-deliveries.ts'
import { settle } from '../../../node/net/patches/state.ts'
import { yamuxFieldsMissing } from '../../../node/net/patches/yamux-window.ts'
import { MCACHE_ENTRY_OVERHEAD_BYTES, MCACHE_MAX_BYTES, SEEN_TTL_MS } from '../../../node/net/constants.ts'
import { checkGossipsubMcache } from '../../../node/net/patches/gossipsub-mcache.ts'
import { withTmp } from '../cli/helpers.ts'

const ROOT = new URL('../../../', import.meta.url).pathname

test('every patch passes its self-check on the pinned dependencies; the node logs the report and aip status shows it', { timeout: 30_000 }, () => withTmp(async (tmp) => {
  const { site } = await initSite(join(tmp, 'ch'), { nation: 'CH' })
  const events: Array<[string, Record<string, unknown> | undefined]> = []
  const node = await startSiteNode(site.dir, { api: false, sync: false, listen: ['/ip4/127.0.0.1/tcp/0'], log: (e, f) => events.push([e, f]) })
  try {
    const ok = Object.fromEntries(PATCH_NAMES.map((n) => [n, 'ok']))
    assert.deepEqual((await node.status()).patches, ok)
    assert.deepEqual(events.find(([e]) => e === 'patches')?.[1], ok)
    assert.equal(events.filter(([e]) => e === 'patch_disabled').length, 0)
  } finally {
    await node.stop()
  }
}))

test('a check that finds a member missing says which; a disabled patch leaves the dependency alone', () => {
  assert.match(yamuxFieldsMissing({}) ?? '', /not a YamuxStream/)
  assert.match(checkGossipsubBackoff({ backoff: {} }) ?? '', /backoff/)
  assert.match(checkGossipsubScoreCache({ score: {} }) ?? '', /scoreCache/)
  assert.match(checkGossipsubDeliveries({ score: { deliveryRecords: { records: new Map(), gc: () => {} } } }) ?? '', /queue/)
  assert.match(checkGossipsubMcache({ mcache: { msgs: new Map(), history: [] } }) ?? '', /put\/validate\/remove\/shift/)
  const backoff = new Map([['/aip/1/results', new Map([['peer', 1]])]])
  forgetBackoff({ backoff }, 'peer')
  assert.equal(backoff.get('/aip/1/results')!.size, 0, 'enabled: the backoff is cleared')
  backoff.get('/aip/1/results')!.set('peer', 1)
  settle('gossipsubBackoff', 'gossipsub has no `backoff` Map') // as createSiteHost does when the check fails
  assert.equal(patchEnabled('gossipsubBackoff'), false)
  forgetBackoff({ backoff }, 'peer')
  assert.equal(backoff.get('/aip/1/results')!.size, 1, 'disabled: untouched')
})

test('the README names the exact versions package.json pins and the lock holds', () => {
  const readme = readFileSync(join(ROOT, 'node/net/patches/README.md'), 'utf8')
  const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { dependencies: Record<string, string> }
  const lock = JSON.parse(readFileSync(join(ROOT, 'package-lock.json'), 'utf8')) as { packages: Record<string, { version: string }> }
  const named = [...readme.matchAll(/`(@[a-z0-9-]+\/[a-z0-9-]+)` (\d+\.\d+\.\d+)/g)].map((m) => [m[1]!, m[2]!] as const)
  assert.deepEqual([...new Set(named.map(([p]) => p))].sort(), ['@chainsafe/libp2p-noise', '@chainsafe/libp2p-yamux', '@libp2p/gossipsub', '@libp2p/tcp'])
  for (const [name, version] of named) {
    assert.equal(pkg.dependencies[name], version, `package.json pins ${name} exactly`)
    assert.equal(lock.packages[`node_modules/${name}`]?.version, version, `the lock holds ${name}@${version}`)
  }
})

test('gossipsubDeliveryWindow: on a real router, delivery records go after SEEN_TTL_MS instead of 2 minutes', { timeout: 30_000 }, () => withTmp(async (tmp) => {
  const { site } = await initSite(join(tmp, 'ch'), { nation: 'CH' })
  const node = await startSiteNode(site.dir, { api: false, sync: false, listen: ['/ip4/127.0.0.1/tcp/0'] })
  try {
    const score = (node.network.host.pubsub as unknown as { score: { validateMessage(id: string): void, deliveryRecords: { records: Map<string, unknown>, gc(): void } } }).score
    score.validateMessage('fresh') // gossipsub's own path: ensureRecord, expire = now + 2 min
    const records = score.deliveryRecords.records
    assert.ok(records.has('fresh'))
    score.deliveryRecords.gc()
    assert.ok(records.has('fresh'), 'a record younger than SEEN_TTL_MS stays')
    const realNow = Date.now
    Date.now = () => realNow() + SEEN_TTL_MS + 1
    try {
      score.deliveryRecords.gc()
    } finally {
      Date.now = realNow
    }
    assert.equal(records.has('fresh'), false, 'gone once older than SEEN_TTL_MS (gossipsub alone keeps it 2 min)')
  } finally {
    await node.stop()
  }
}))

test('gossipsubMcacheBudget: on a real router, the message cache keeps at most MCACHE_MAX_BYTES of validated messages, the oldest going first; none awaiting validation goes', { timeout: 30_000 }, () => withTmp(async (tmp) => {
  const { site } = await initSite(join(tmp, 'ch'), { nation: 'CH' })
  const node = await startSiteNode(site.dir, { api: false, sync: false, listen: ['/ip4/127.0.0.1/tcp/0'] })
  try {
    type Cache = { msgs: Map<string, unknown>, notValidatedCount: number, put(id: { msgId: Uint8Array, msgIdStr: string }, msg: { topic: string, data: Uint8Array }, validated?: boolean): boolean, validate(id: string): unknown, remove(id: string): unknown, shift(): void }
    const mcache = (node.network.host.pubsub as unknown as { mcache: Cache }).mcache
    const budget = node.network.host.mcache!
    const size = 200 * 1024
    const per = size + MCACHE_ENTRY_OVERHEAD_BYTES
    const kept = Math.floor(MCACHE_MAX_BYTES / per)
    const n = kept + 5
    // gossipsub's own path for a received message under asyncValidation: put, not validated yet
    for (let i = 0; i < n; i++) mcache.put({ msgId: Uint8Array.of(i), msgIdStr: `m${i}` }, { topic: 't', data: new Uint8Array(size) }, false)
    assert.equal(mcache.msgs.size, n, 'a message awaiting its outcome was evicted (a REJECT would no longer charge P4)')
    assert.equal(budget.bytes, 0)
    // ACCEPTed one by one (reportMessageValidationResult → mcache.validate), oldest first
    for (let i = 0; i < n; i++) assert.notEqual(mcache.validate(`m${i}`), null)
    assert.equal(mcache.msgs.size, kept, 'more than MCACHE_MAX_BYTES of validated messages kept')
    assert.ok(budget.bytes <= MCACHE_MAX_BYTES)
    assert.equal(budget.evicted, n - kept)
    assert.equal(mcache.msgs.has('m0'), false, 'the oldest went first')
    assert.ok(mcache.msgs.has(`m${n - 1}`), 'the newest stays')
    assert.equal(mcache.notValidatedCount, 0)
    mcache.put({ msgId: Uint8Array.of(255), msgIdStr: 'own' }, { topic: 't', data: new Uint8Array(size) }, true) // a site's own publish
    assert.equal(mcache.msgs.size, kept, 'an own message counts too, evicting the oldest')
    mcache.remove('own')
    assert.equal(budget.entries, kept - 1, 'a removed message no longer counts')
    for (let i = 0; i < 12; i++) mcache.shift() // past the whole window (MCACHE_HEARTBEATS)
    assert.equal(mcache.msgs.size, 0)
    assert.equal(budget.bytes, 0, 'messages that left the window no longer count')
  } finally {
    await node.stop()
  }
}))
