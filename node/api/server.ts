/**
 * The local HTTP API (issue 4 §Operator interface): node:http bound to 127.0.0.1 by default; every request carries
 * the site's bearer token (compared in constant time) or gets 401. The running node supplies the handlers.
 *
 *   GET  /v1/status             handlers.status()
 *   GET  /v1/peers              {peers: handlers.peers()}
 *   GET  /v1/records?type=&signer=&suite=&model=&since=&until=&limit=&after=    a RecordPage
 *   GET  /v1/records/:id        the envelope bytes (application/cose), 404 when absent
 *   POST /v1/records            body = envelope bytes (≤ limits.apiMaxBodyBytes) → PublishOutcome (422 if rejected)
 *   GET  /metrics               Prometheus text; token required unless `metricsPublic`
 *   GET  /v1/audit/<path>       handlers.audit: the audit log's checkpoint, tiles, bundles, proofs (audit-v1 §4.2);
 *   POST /v1/audit/checkpoint   signs a checkpoint now; POST /v1/audit/entries appends one entry (CLI commands)
 *   GET  /v1/proof?nonce=HEX    {proof}: proves the node holds the token without the client sending it (proof.ts)
 *
 * Errors are JSON `{error: CODE, message}` with a stable code: unauthorized, not_found, method_not_allowed,
 * bad_query, length_required, body_too_large, internal. A refused body closes the connection. Headers must arrive
 * within HEADERS_TIMEOUT_MS and the whole request within REQUEST_TIMEOUT_MS (checked every TIMEOUT_CHECK_MS), and a
 * socket without any traffic for SOCKET_IDLE_TIMEOUT_MS is closed.
 */
import { createServer } from 'node:http'
import type { IncomingMessage, ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { createHash, timingSafeEqual } from 'node:crypto'
import type { Registry } from 'prom-client'
import type { ListQuery } from '../store/store.ts'
import type { NodeMetrics } from '../metrics.ts'
import type { ApiHandlers } from './types.ts'
import { API_PREFIX, COSE_MEDIA_TYPE, DEFAULT_PAGE_SIZE, HEADERS_TIMEOUT_MS, MAX_URL_BYTES, REQUEST_TIMEOUT_MS, SOCKET_IDLE_TIMEOUT_MS, TIMEOUT_CHECK_MS } from './constants.ts'
import { apiProof, PROOF_NONCE } from './proof.ts'
import type { UiRoutes } from '../ui/server.ts'

export interface ApiOptions {
  host: string
  /** 0 = an ephemeral port (read it from the returned server). */
  port: number
  token: string
  maxBodyBytes: number
  maxPageSize: number
  /** Serve GET /metrics without the token. */
  metricsPublic?: boolean
  /** Registry served by GET /metrics; request counts go to `metrics.apiRequests` when given. */
  metrics?: { registry: Registry; apiRequests?: NodeMetrics['apiRequests'] }
  /** Defaults HEADERS_TIMEOUT_MS, REQUEST_TIMEOUT_MS, TIMEOUT_CHECK_MS, SOCKET_IDLE_TIMEOUT_MS (tests make them small). */
  timeouts?: { headersMs: number; requestMs: number; checkMs: number; idleMs: number }
  /** Where the server's own log lines go (default: one JSON line on stderr). */
  log?: (entry: { level: 'error' | 'info'; msg: string; [k: string]: unknown }) => void
  /** The dashboard (node/ui), served under /ui with its own session cookie and CSRF checks. */
  ui?: UiRoutes
}

export interface ApiServer {
  host: string
  port: number
  /** http://HOST:PORT */
  url: string
  close(): Promise<void>
}

class HttpError extends Error {
  constructor(readonly status: number, readonly code: string, message: string, readonly close = false) {
    super(message)
  }
}

/** The client went away while we read its body: its doing, not a handler failure. */
class ClientAborted extends Error {}

const RECORD_ID = /^b[a-z2-7]{8,120}$/
const SIGNER_HEX = /^[0-9a-f]{64}$/
/** `next` of a page: CREATED.ID (node/store/store.ts pageCursor). */
const PAGE_CURSOR = /^[0-9]{1,16}\.b[a-z2-7]{8,120}$/

export async function startApi(handlers: ApiHandlers, opts: ApiOptions): Promise<ApiServer> {
  const expected = digest(opts.token)
  const t = opts.timeouts ?? { headersMs: HEADERS_TIMEOUT_MS, requestMs: REQUEST_TIMEOUT_MS, checkMs: TIMEOUT_CHECK_MS, idleMs: SOCKET_IDLE_TIMEOUT_MS }
  const log = opts.log ?? ((entry) => console.error(JSON.stringify(entry)))
  // node checks headersTimeout/requestTimeout only every connectionsCheckingInterval (default 30 s): without a short
  // interval a slow client held its connection ~31 s, not the documented 5 s / 10 s.
  const server = createServer({ requestTimeout: t.requestMs, headersTimeout: t.headersMs, connectionsCheckingInterval: t.checkMs }, (req, res) => {
    let route = 'unknown'
    handle(req, res, (r) => { route = r })
      .catch((err: unknown) => {
        if (err instanceof ClientAborted) {
          log({ level: 'info', msg: 'api client aborted', route })
          res.destroy()
          return
        }
        const e = err instanceof HttpError ? err : new HttpError(500, 'internal', 'internal error')
        if (!(err instanceof HttpError)) log({ level: 'error', msg: 'api handler failed', route, err: String(err) })
        sendJson(res, e.status, { error: e.code, message: e.message },
          { ...(e.status === 401 ? { 'www-authenticate': 'Bearer' } : {}), ...(e.close ? { connection: 'close' } : {}) })
      })
      .finally(() => {
        opts.metrics?.apiRequests?.inc({ route, status: String(res.statusCode) })
      })
  })

  async function handle(req: IncomingMessage, res: ServerResponse, setRoute: (r: string) => void): Promise<void> {
    const rawUrl = req.url ?? '/'
    if (rawUrl.length > MAX_URL_BYTES) throw new HttpError(414, 'bad_query', 'URL too long')
    // a request target must be an origin-form path: '//host', '/\\x' and the like are refused (found by the API fuzzer)
    if (!rawUrl.startsWith('/') || rawUrl.startsWith('//') || rawUrl.includes('\\')) throw new HttpError(400, 'bad_query', 'the request target must be a path')
    let url: URL
    try {
      url = new URL(rawUrl, 'http://api')
    } catch {
      throw new HttpError(400, 'bad_query', 'the request target is not a valid path')
    }
    const path = url.pathname
    if (path === `${API_PREFIX}/proof`) {
      setRoute('proof'); if ((req.method ?? 'GET') !== 'GET') throw new HttpError(405, 'method_not_allowed', 'use GET')
      const nonce = url.searchParams.get('nonce')
      if (nonce === null || !PROOF_NONCE.test(nonce)) throw new HttpError(400, 'bad_query', 'nonce must be 64 lowercase hex digits')
      const a = server.address() as AddressInfo
      return sendJson(res, 200, { proof: apiProof(opts.token, nonce, a.address, a.port) })
    }
    if (opts.ui !== undefined && (path === '/ui' || path.startsWith('/ui/'))) {
      setRoute('ui')
      const a = server.address() as AddressInfo
      const origin = `http://${a.family === 'IPv6' ? `[${a.address}]` : a.address}:${a.port}`
      return opts.ui.handle(req, res, url, { bearerOk: authorized(req.headers.authorization, expected), origin, handlers })
    }
    const isMetrics = path === '/metrics'
    if (!(isMetrics && opts.metricsPublic) && !authorized(req.headers.authorization, expected)) {
      throw new HttpError(401, 'unauthorized', 'missing or wrong bearer token (see api.token in the site directory)')
    }
    const method = req.method ?? 'GET'
    const only = (m: string) => { if (method !== m) throw new HttpError(405, 'method_not_allowed', `${method} ${path}: use ${m}`) }
    if (isMetrics) {
      setRoute('metrics'); only('GET')
      if (!opts.metrics) throw new HttpError(404, 'not_found', 'metrics are not enabled')
      const text = await opts.metrics.registry.metrics()
      res.writeHead(200, { 'content-type': opts.metrics.registry.contentType }).end(text)
      return
    }
    if (path === `${API_PREFIX}/status`) {
      setRoute('status'); only('GET')
      return sendJson(res, 200, await handlers.status())
    }
    if (path === `${API_PREFIX}/peers`) {
      setRoute('peers'); only('GET')
      return sendJson(res, 200, { peers: await handlers.peers() })
    }
    if (path === `${API_PREFIX}/records`) {
      setRoute('records')
      if (method === 'POST') {
        const body = await readBody(req, opts.maxBodyBytes)
        const outcome = await handlers.publish(body)
        return sendJson(res, outcome.action === 'reject' ? 422 : 200, outcome)
      }
      only('GET')
      return sendJson(res, 200, await handlers.listRecords(parseQuery(url.searchParams, opts.maxPageSize)))
    }
    if (path.startsWith(`${API_PREFIX}/records/`)) {
      setRoute('record'); only('GET')
      const id = path.slice(`${API_PREFIX}/records/`.length)
      if (!RECORD_ID.test(id)) throw new HttpError(400, 'bad_query', 'not a record ID (base32 CIDv1)')
      const bytes = await handlers.getRecord(id)
      if (bytes === undefined) throw new HttpError(404, 'not_found', `no record ${id}`)
      res.writeHead(200, { 'content-type': COSE_MEDIA_TYPE, 'content-length': bytes.length }).end(bytes)
      return
    }
    if (path.startsWith(`${API_PREFIX}/audit/`) && handlers.audit !== undefined) {
      const sub = path.slice(`${API_PREFIX}/audit/`.length)
      setRoute('audit'); only(method === 'POST' && (sub === 'checkpoint' || sub === 'entries') ? 'POST' : 'GET')
      const body = method === 'POST' ? await readBody(req, opts.maxBodyBytes) : undefined
      const r = await handlers.audit(method as 'GET' | 'POST', sub, url.searchParams, body)
      res.writeHead(r.status, { 'content-type': r.contentType, 'content-length': r.body.length, ...r.headers }).end(r.body)
      return
    }
    throw new HttpError(404, 'not_found', `no route ${path}`)
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(opts.port, opts.host, () => { server.off('error', reject); resolve() })
  })
  server.setTimeout(t.idleMs, (socket) => socket.destroy()) // a socket with no traffic at all, e.g. a client that stops reading its response
  const addr = server.address() as AddressInfo
  const hostForUrl = addr.family === 'IPv6' ? `[${addr.address}]` : addr.address
  return {
    host: addr.address,
    port: addr.port,
    url: `http://${hostForUrl}:${addr.port}`,
    close: () => new Promise<void>((resolve) => {
      server.close(() => resolve())
      server.closeAllConnections()
    }),
  }
}

function digest(s: string): Buffer {
  return createHash('sha256').update(s).digest()
}

/** Constant-time token check: compares fixed-length digests, so neither content nor length leaks through timing. */
function authorized(header: string | undefined, expected: Buffer): boolean {
  const m = header === undefined ? null : /^bearer +(\S+) *$/i.exec(header) // the scheme is case-insensitive (RFC 7235 §2.1)
  return m !== null && timingSafeEqual(digest(m[1]), expected)
}

function parseQuery(p: URLSearchParams, maxPageSize: number): ListQuery {
  const q: ListQuery = {}
  for (const key of p.keys()) {
    if (!['type', 'signer', 'suite', 'model', 'since', 'until', 'limit', 'after'].includes(key)) throw new HttpError(400, 'bad_query', `unknown parameter '${key}'`)
  }
  const type = p.get('type')
  if (type !== null) {
    if (!/^[A-Za-z]{1,64}$/.test(type)) throw new HttpError(400, 'bad_query', 'type must be a record type name')
    q.type = type
  }
  const signer = p.get('signer')
  if (signer !== null) {
    if (!SIGNER_HEX.test(signer)) throw new HttpError(400, 'bad_query', 'signer must be 64 lowercase hex digits')
    q.signer = Uint8Array.from(Buffer.from(signer, 'hex'))
  }
  for (const name of ['suite', 'model', 'after'] as const) {
    const v = p.get(name)
    if (v === null) continue
    if (!RECORD_ID.test(v) && !(name === 'after' && PAGE_CURSOR.test(v))) {
      throw new HttpError(400, 'bad_query', `${name} must be a record ID${name === 'after' ? ' or a page cursor (next)' : ''}`)
    }
    q[name] = v
  }
  for (const name of ['since', 'until'] as const) {
    const v = p.get(name)
    if (v === null) continue
    if (!/^[0-9]{1,16}$/.test(v) || !Number.isSafeInteger(Number(v))) throw new HttpError(400, 'bad_query', `${name} must be ms since the Unix epoch`)
    q[name] = Number(v)
  }
  const limit = p.get('limit')
  q.limit = DEFAULT_PAGE_SIZE
  if (limit !== null) {
    if (!/^[0-9]{1,9}$/.test(limit) || Number(limit) < 1) throw new HttpError(400, 'bad_query', 'limit must be a positive integer')
    q.limit = Number(limit)
  }
  q.limit = Math.min(q.limit, maxPageSize)
  return q
}

/**
 * Reads a request body of at most `max` bytes; refuses larger ones before buffering them, and bodies without a
 * Content-Length (chunked: a chunk may announce 2^60 bytes) at once. A refusal closes the connection rather than
 * draining the rest of the body.
 */
async function readBody(req: IncomingMessage, max: number): Promise<Uint8Array> {
  if (req.headers['content-length'] === undefined) {
    throw new HttpError(411, 'length_required', 'a record body needs a Content-Length (chunked bodies are not accepted)', true)
  }
  const declared = Number(req.headers['content-length'])
  if (declared > max) throw new HttpError(413, 'body_too_large', `the body is ${declared} bytes; the limit is ${max}`, true)
  return new Promise<Uint8Array>((resolve, reject) => {
    const chunks: Buffer[] = []
    let n = 0
    const done = (err?: Error) => {
      req.off('data', onData).off('end', onEnd).off('error', onGone).off('close', onGone)
      req.on('error', () => {}) // a reset after the refusal is the client's business, not an uncaught error
      if (err === undefined) resolve(new Uint8Array(Buffer.concat(chunks)))
      else { req.pause(); reject(err) }
    }
    const onData = (chunk: Buffer) => {
      n += chunk.length
      if (n > max) done(new HttpError(413, 'body_too_large', `the body exceeds the limit of ${max} bytes`, true))
      else chunks.push(chunk)
    }
    const onEnd = () => done()
    // 'aborted' / ECONNRESET, or closed before the end: the client went away before its body was complete
    const onGone = () => done(new ClientAborted('the client closed the connection before the body was complete'))
    req.on('data', onData).once('end', onEnd).once('error', onGone).once('close', onGone)
  })
}

function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  if (res.headersSent) {
    res.destroy()
    return
  }
  const text = JSON.stringify(body)
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text), ...headers }).end(text)
}
