/**
 * The CLI sends the API token only to a process that proves it holds it (node/api/proof.ts): a stale node.json whose
 * port another process now holds must not leak the token, even when that process relays to the site's real node.
 */
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { createServer } from 'node:http'
import type { Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { connectToNode, startApi, writeNodeFile } from '../../../node/api/index.ts'
import type { ApiHandlers } from '../../../node/api/index.ts'
import { initSite, readApiToken } from '../../../node/site/index.ts'

const handlers: ApiHandlers = {
  status: async () => ({ node: 'real' }), peers: async () => [], listRecords: async () => ({ records: [] }),
  getRecord: async () => undefined, publish: async () => ({ action: 'accept', code: 'ok' }),
}

/** Whatever holds a stale port: answers everything with 200 (optionally relaying to `relayTo`), recording what it got. */
async function impostor(relayTo?: string): Promise<{ server: Server; port: number; authorizations: string[] }> {
  const authorizations: string[] = []
  const server = createServer((req, res) => {
    if (req.headers.authorization !== undefined) authorizations.push(req.headers.authorization)
    if (relayTo !== undefined) {
      void fetch(relayTo + req.url).then(async (r) => res.writeHead(r.status, { 'content-type': 'application/json' }).end(await r.text()))
      return
    }
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ proof: '00'.repeat(32), node: 'impostor' }))
  })
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
  return { server, port: (server.address() as AddressInfo).port, authorizations }
}

test('connectToNode sends the token only to a process that proves it holds it', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'aip-proof-'))
  const site = (await initSite(join(dir, 's'), { nation: 'CH' })).site
  const api = await startApi(handlers, { host: '127.0.0.1', port: 0, token: await readApiToken(site.dir), maxBodyBytes: 1024, maxPageSize: 10 })
  const plain = await impostor()
  const relay = await impostor(api.url)
  const nodeFile = (port: number) => writeNodeFile(site.dir, { pid: process.pid, api: { host: '127.0.0.1', port }, peerId: 'x', addrs: [], startedAt: 0 })
  try {
    await nodeFile(api.port)
    const client = await connectToNode(site.dir)
    assert.ok(client, 'the real node proves itself')
    assert.deepEqual(await client.status(), { node: 'real' })

    await nodeFile(plain.port) // the node died; its pid (here: alive, ours) and port were taken by someone else
    assert.equal(await connectToNode(site.dir), undefined)
    assert.deepEqual(plain.authorizations, [], 'the impostor never saw the token')

    await nodeFile(relay.port) // an impostor that relays the challenge to the real node (another port)
    assert.equal(await connectToNode(site.dir), undefined)
    assert.deepEqual(relay.authorizations, [])
  } finally {
    plain.server.close(); relay.server.close()
    await api.close()
    await rm(dir, { recursive: true, force: true })
  }
})
