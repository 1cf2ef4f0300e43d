/**
 * The local API against hostile or broken clients, with raw sockets (node:net) on a real server on 127.0.0.1. The
 * deadlines are configured small here (the defaults are HEADERS_TIMEOUT_MS 5 s, REQUEST_TIMEOUT_MS 10 s), so each
 * test waits about a second; the assertions are about which deadline cut the client, not about speed.
 */
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { connect } from 'node:net'
import { startApi } from '../../../node/api/index.ts'
import type { ApiHandlers, ApiServer } from '../../../node/api/index.ts'

const TOKEN = 'cd'.repeat(32)
const TIMEOUTS = { headersMs: 400, requestMs: 900, checkMs: 50, idleMs: 1500 }
const MAX_BODY = 1024

type LogEntry = { level: string; msg: string }

async function withApi(fn: (api: ApiServer, logs: LogEntry[], published: Uint8Array[]) => Promise<void>): Promise<void> {
  const logs: LogEntry[] = []
  const published: Uint8Array[] = []
  const handlers: ApiHandlers = {
    status: async () => ({}), peers: async () => [], listRecords: async () => ({ records: [] }), getRecord: async () => undefined,
    publish: async (bytes) => { published.push(bytes); return { action: 'accept', code: 'ok' } },
  }
  const api = await startApi(handlers, { host: '127.0.0.1', port: 0, token: TOKEN, maxBodyBytes: MAX_BODY, maxPageSize: 10, timeouts: TIMEOUTS, log: (e) => logs.push(e) })
  try {
    await fn(api, logs, published)
  } finally {
    await api.close()
  }
}

/** Opens a socket, writes `parts` (strings, or waits in ms between them), and resolves with what came back and when the server closed it. */
function exchange(api: ApiServer, parts: (string | Buffer | number)[], opts: { giveUpMs?: number } = {}): Promise<{ reply: string; closedAfterMs: number }> {
  return new Promise((resolve, reject) => {
    const t0 = Date.now()
    const s = connect(api.port, '127.0.0.1')
    let reply = ''
    const giveUp = setTimeout(() => { s.destroy(); reject(new Error(`the server neither answered nor closed within ${opts.giveUpMs ?? 5000} ms; got ${JSON.stringify(reply)}`)) }, opts.giveUpMs ?? 5000)
    s.on('data', (d) => { reply += d.toString('latin1') })
    s.on('error', () => {}) // a reset after the server closed: the close event still tells the time
    s.on('close', () => { clearTimeout(giveUp); resolve({ reply, closedAfterMs: Date.now() - t0 }) })
    s.on('connect', async () => {
      for (const p of parts) {
        if (typeof p === 'number') await new Promise((r) => setTimeout(r, p))
        else if (!s.destroyed) s.write(p)
      }
    })
  })
}

const HEAD = (extra: string) => `POST /v1/records HTTP/1.1\r\nHost: api\r\nAuthorization: Bearer ${TOKEN}\r\n${extra}\r\n`

test('a client that sends no headers is cut at the headers deadline, not after ~31 s', () => withApi(async (api) => {
  const r = await exchange(api, [])
  assert.match(r.reply, /^HTTP\/1\.1 408 /)
  assert.ok(r.closedAfterMs >= TIMEOUTS.headersMs - 50 && r.closedAfterMs < TIMEOUTS.requestMs, `closed after ${r.closedAfterMs} ms`)
  // headers dribbled byte by byte still have to be complete by the deadline
  const slow = await exchange(api, [...'GET /v1/status HTTP/1.1\r\n'].flatMap((c) => [c, 40]))
  assert.match(slow.reply, /^HTTP\/1\.1 408 /)
  assert.ok(slow.closedAfterMs < TIMEOUTS.requestMs, `closed after ${slow.closedAfterMs} ms`)
}))

test('a client that sends its body slowly is cut at the request deadline', () => withApi(async (api, _logs, published) => {
  const r = await exchange(api, [HEAD('Content-Length: 100\r\n'), ...Array.from({ length: 40 }, () => ['x', 60]).flat()])
  assert.ok(r.closedAfterMs >= TIMEOUTS.requestMs - 50 && r.closedAfterMs < 2 * TIMEOUTS.requestMs, `closed after ${r.closedAfterMs} ms`)
  assert.equal(published.length, 0)
}))

test('a chunked body announcing a 2^60-byte chunk is answered at once and the connection closed', () => withApi(async (api, _logs, published) => {
  const r = await exchange(api, [HEAD('Transfer-Encoding: chunked\r\n'), '1000000000000000\r\n', 'abc'], { giveUpMs: TIMEOUTS.headersMs })
  assert.match(r.reply, /^HTTP\/1\.1 411 /)
  assert.match(r.reply, /"error":"length_required"/)
  assert.match(r.reply, /connection: close/i)
  assert.equal(published.length, 0)
}))

test('a body over the limit gets 413 and the connection is closed, not drained', () => withApi(async (api, _logs, published) => {
  // declared too large: refused on the headers
  const declared = await exchange(api, [HEAD(`Content-Length: ${2 ** 40}\r\n`), Buffer.alloc(4096)], { giveUpMs: TIMEOUTS.headersMs })
  assert.match(declared.reply, /^HTTP\/1\.1 413 /)
  // within the limit, the same request passes (the declared length is the gate: no body outgrows it on HTTP/1.1)
  const ok = await exchange(api, [HEAD('Content-Length: 3\r\nConnection: close\r\n'), 'abc'])
  assert.match(ok.reply, /^HTTP\/1\.1 200 /)
  assert.equal(published.length, 1)
}))

test('a client that aborts its body is logged as a client abort, not a handler error', () => withApi(async (api, logs, published) => {
  // the helper gives up (destroys the socket) after 100 ms: the server sees the client leave mid-body
  await assert.rejects(exchange(api, [HEAD('Content-Length: 500\r\n'), 'only part of it'], { giveUpMs: 100 }))
  await new Promise((r) => setTimeout(r, 100))
  assert.deepEqual(logs.map((l) => l.msg), ['api client aborted'])
  assert.equal(logs[0]!.level, 'info')
  assert.equal(published.length, 0)
}))
