import { test } from 'node:test'
import assert from 'node:assert/strict'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createHash } from 'node:crypto'
import { CID } from 'multiformats/cid'
import * as Digest from 'multiformats/hashes/digest'
import { RecordStore } from '../../../node/store/store.ts'
import type { StorableRecord } from '../../../node/store/store.ts'
import { startApi, storeHandlers, ApiClient } from '../../../node/api/index.ts'
import type { ApiHandlers, ApiServer, PublishOutcome } from '../../../node/api/index.ts'
import { createMetrics } from '../../../node/metrics.ts'

const TOKEN = 'ab'.repeat(32)

function rec(n: number): StorableRecord {
  const bytes = new TextEncoder().encode(`api record ${n}`)
  const id = CID.createV1(0x55, Digest.create(0x12, createHash('sha256').update(bytes).digest())).toString()
  return { id, bytes, type: 'BenchmarkResult', signer: new Uint8Array(32).fill(9), created: 1_000 + n, body: {} }
}

async function withApi(fn: (api: ApiServer, store: RecordStore, published: Uint8Array[]) => Promise<void>, metricsPublic = false) {
  const dir = await mkdtemp(join(tmpdir(), 'aip-api-'))
  const store = await RecordStore.open(join(dir, 'store'))
  const metrics = createMetrics({ defaults: false })
  const published: Uint8Array[] = []
  const handlers: ApiHandlers = {
    ...storeHandlers(store),
    status: async () => ({ records: await store.count() }),
    peers: async () => [{ peerId: 'p1' }],
    // The API passes the body through untouched; what validation decides is the node's (tested with the node).
    publish: async (bytes): Promise<PublishOutcome> => {
      published.push(bytes)
      return bytes[0] === 0xd2 ? { action: 'accept', code: 'ok' } : { action: 'reject', code: 'undecodable', message: 'not COSE' }
    },
  }
  const api = await startApi(handlers, { host: '127.0.0.1', port: 0, token: TOKEN, maxBodyBytes: 1024, maxPageSize: 3, metricsPublic, metrics })
  try {
    await fn(api, store, published)
  } finally {
    await api.close()
    await store.close()
    await rm(dir, { recursive: true, force: true })
  }
}

test('every route needs the bearer token: 401 without it or with a wrong one', () => withApi(async (api) => {
  for (const path of ['/v1/status', '/v1/peers', '/v1/records', '/metrics', '/nowhere']) {
    const none = await fetch(api.url + path)
    assert.equal(none.status, 401, path)
    assert.equal(none.headers.get('www-authenticate'), 'Bearer')
    assert.equal(((await none.json()) as { error: string }).error, 'unauthorized')
    const wrong = await fetch(api.url + path, { headers: { authorization: `Bearer ${'ab'.repeat(31)}` } })
    assert.equal(wrong.status, 401, path)
    await wrong.arrayBuffer()
  }
  for (const header of [`bearer ${TOKEN}`, `Bearer  ${TOKEN}`]) {
    const ok = await fetch(api.url + '/v1/status', { headers: { authorization: header } })
    assert.equal(ok.status, 200, header)
    await ok.arrayBuffer()
  }
  for (const header of [`Basic ${TOKEN}`, `Bearer ${TOKEN} extra`, `Bearer${TOKEN}`, 'Bearer ']) {
    const no = await fetch(api.url + '/v1/status', { headers: { authorization: header } })
    assert.equal(no.status, 401, header)
    await no.arrayBuffer()
  }
  assert.equal(api.host, '127.0.0.1')
}))

test('status, peers and record queries through ApiClient', () => withApi(async (api, store) => {
  const rs = [rec(1), rec(2), rec(3), rec(4), rec(5)]
  await store.putMany(rs)
  const c = new ApiClient(api.url, TOKEN)
  assert.deepEqual(await c.status(), { records: 5 })
  assert.deepEqual(await c.peers(), [{ peerId: 'p1' }])
  const page = await c.listPage({})
  assert.equal(page.records.length, 3) // capped by maxPageSize
  assert.equal(page.next, `${rs[2].created}.${rs[2].id}`) // a position: it holds if rs[2] is withdrawn (list-cursor.test.ts)
  const all = []
  for await (const r of c.list({})) all.push(r.id)
  assert.deepEqual(all, rs.map((r) => r.id))
  assert.equal(page.records[0].signer, '09'.repeat(32))
  assert.deepEqual(await c.getRecord(rs[0].id), rs[0].bytes)
  const ranged = []
  for await (const r of c.list({ since: rs[1].created, until: rs[3].created })) ranged.push(r.id)
  assert.deepEqual(ranged, [rs[1].id, rs[2].id])
  assert.equal(await c.getRecord(rec(99).id), undefined)
}))

test('hostile queries get 400 bad_query, unknown routes 404, wrong methods 405', () => withApi(async (api) => {
  const get = (p: string, method = 'GET') => fetch(api.url + p, { method, headers: { authorization: `Bearer ${TOKEN}` } })
  for (const p of ['/v1/records?limit=0', '/v1/records?limit=-1', '/v1/records?signer=zz', '/v1/records?after=../../etc',
    '/v1/records?bogus=1', '/v1/records?since=-5', '/v1/records?until=1e9', '/v1/records/not-an-id', `/v1/records?limit=${'9'.repeat(20)}`]) {
    const r = await get(p)
    assert.equal(r.status, 400, p)
    assert.equal(((await r.json()) as { error: string }).error, 'bad_query')
  }
  const long = await get('/v1/records?type=' + 'A'.repeat(5000))
  assert.equal(long.status, 414)
  await long.arrayBuffer()
  const nf = await get('/v2/x')
  assert.equal(nf.status, 404)
  await nf.arrayBuffer()
  const m = await get('/v1/status', 'DELETE')
  assert.equal(m.status, 405)
  await m.arrayBuffer()
}))

test('POST /v1/records passes the body to publish; oversize bodies get 413 and never reach it', () => withApi(async (api, _store, published) => {
  const c = new ApiClient(api.url, TOKEN)
  assert.deepEqual(await c.publish(new Uint8Array([0xd2, 1, 2])), { action: 'accept', code: 'ok' })
  assert.deepEqual(await c.publish(new Uint8Array([1])), { action: 'reject', code: 'undecodable', message: 'not COSE' })
  // 413 body_too_large; the client reports it as that record's outcome (an import goes on with the next record)
  assert.deepEqual([await c.publish(new Uint8Array(1025))].map((o) => `${o.action} ${o.code}`), ['reject oversize'])
  // A chunked body (no content-length: a chunk may announce 2^60 bytes) is refused at once (hardening.test.ts).
  const chunked = await fetch(api.url + '/v1/records', {
    method: 'POST', headers: { authorization: `Bearer ${TOKEN}` }, duplex: 'half',
    body: new ReadableStream({ start(ctl) { for (let i = 0; i < 8; i++) ctl.enqueue(new Uint8Array(512)); ctl.close() } }),
  } as RequestInit)
  assert.equal(chunked.status, 411)
  await chunked.arrayBuffer()
  assert.equal(published.length, 2)
}))

test('GET /metrics serves Prometheus text with the API request counter', () => withApi(async (api) => {
  const c = new ApiClient(api.url, TOKEN)
  await c.status()
  const text = await c.metrics()
  assert.match(text, /aip_api_requests_total\{route="status",status="200"\} 1/)
  assert.match(text, /# TYPE aip_validation_outcomes_total counter/)
}))

test('metricsPublic serves /metrics without the token, everything else still needs it', () => withApi(async (api) => {
  const m = await fetch(api.url + '/metrics')
  assert.equal(m.status, 200)
  assert.match(await m.text(), /aip_records_stored_total/)
  const s = await fetch(api.url + '/v1/status')
  assert.equal(s.status, 401)
  await s.arrayBuffer()
}, true))
