/**
 * The dashboard's routes, mounted by the local API server under /ui (node/ui/README.md):
 *
 *   POST /ui/login-token          bearer token required → {url, expiresAt}: a one-time login URL (`aip ui`)
 *   GET  /ui/login?token=T        exchanges T (once, before it expires) for a session cookie, then 303 → /ui/
 *   GET  /ui/  /ui/app.js  /ui/app.css     the page and its bundle (no data in them)
 *   GET  /ui/api/session          {csrf, genesisCharter, siteKey}
 *   GET  /ui/api/status | peers   what /v1/status and /v1/peers return
 *   GET  /ui/api/envelopes?after=&limit=&type=   raw envelopes, each as a 4-byte big-endian length then its bytes
 *   GET  /ui/api/record?id=ID     the bytes the node holds under ID (the page checks they hash to ID)
 *   GET  /ui/api/align            the alignment review queue: bundles with the node's scrub report (align.ts)
 *   GET  /ui/api/align/reviews    the site's signed AlignmentReview records, as an envelope batch (verified by the page)
 *   POST /ui/api/align/decide     {bundle, decision, reason} → a signed review, as `aip align approve|reject` (CSRF)
 *   GET  /ui/api/audit/checkpoint | vkey | equivocations    the audit log's, as GET /v1/audit/… returns them
 *   GET  /ui/api/metrics          the node's Prometheus metrics (text), as GET /metrics serves them
 *   GET  /ui/api/alerts           the node's recent alerts (trust alerts, audit equivocations), newest last
 *   POST /ui/api/records          publish an envelope (the body), as POST /v1/records       (CSRF)
 *   POST /ui/api/logout           ends the session                                           (CSRF)
 *
 * Every /ui/api route needs the session cookie (HttpOnly, SameSite=Strict). Every state-changing request also needs
 * the session's CSRF token in the x-aip-csrf header and an Origin equal to the node's own origin. Every response
 * carries a strict Content-Security-Policy. Errors are JSON {error, message} like the API's.
 */
import { randomBytes, timingSafeEqual } from 'node:crypto'
import type { IncomingMessage, ServerResponse } from 'node:http'
import type { ApiHandlers } from '../api/types.ts'
import { APP_CSS, APP_JS } from './bundle.generated.ts'
import type { UiAlign } from './align.ts'
import {
  CSP, CSRF_HEADER, LOGIN_TOKEN_TTL_MS, MAX_DECIDE_BODY_BYTES, MAX_ENVELOPE_BATCH, MAX_LOGIN_TOKENS, MAX_SESSIONS, SECRET_BYTES, SESSION_COOKIE,
  SESSION_TTL_MS, UI_PREFIX,
} from './constants.ts'

export interface UiOptions {
  /** The trust anchor the browser verifies against: the site's configured genesis charter ID. */
  genesisCharter: string
  /** This site's public key (hex): the page finds its own certificate and audit log key by it. */
  siteKey?: string
  maxBodyBytes: number
  now?: () => number
  /** The alignment review queue and its one action (absent: the routes answer 404). */
  align?: UiAlign
  /** The node's Prometheus metrics as text (what GET /metrics serves; absent: 404). */
  metrics?: () => Promise<string>
  /** The node's recent alerts, newest last (absent: none). */
  alerts?: () => Array<{ at: number; kind: string; message: string }>
}

/** What the API server calls for every path under /ui. */
export interface UiRoutes {
  handle(req: IncomingMessage, res: ServerResponse, url: URL, ctx: UiContext): Promise<void>
}

/** Per request, from the API server: whether the bearer token was given, the server's origin, the node's handlers. */
export interface UiContext {
  bearerOk: boolean
  origin: string
  handlers: ApiHandlers
}

interface Session {
  csrf: string
  expires: number
}

class UiError extends Error {
  constructor(readonly status: number, readonly code: string, message: string) {
    super(message)
  }
}

const SECRET_RE = /^[A-Za-z0-9_-]{43}$/
const CURSOR_RE = /^[0-9]{1,16}\.b[a-z2-7]{8,120}$/
const RECORD_ID_RE = /^b[a-z2-7]{8,120}$/
const TYPE_RE = /^[A-Za-z]{1,64}$/
const AUDIT_PATHS = new Set(['checkpoint', 'vkey', 'equivocations'])

const INDEX_HTML = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>AIP dashboard</title>
<link rel="icon" href="data:,">
<link rel="stylesheet" href="${UI_PREFIX}/app.css">
<script type="module" src="${UI_PREFIX}/app.js"></script>
</head>
<body><div id="app"><p>Loading…</p></div></body>
</html>
`

const secret = (): string => randomBytes(SECRET_BYTES).toString('base64url')

function sameSecret(a: string, b: string): boolean {
  const x = Buffer.from(a), y = Buffer.from(b)
  return x.length === y.length && timingSafeEqual(x, y)
}

function cookieOf(header: string | undefined): string | undefined {
  for (const part of (header ?? '').split(';')) {
    const [k, v] = part.trim().split('=', 2)
    if (k === SESSION_COOKIE && v !== undefined && SECRET_RE.test(v)) return v
  }
  return undefined
}

/** Drops expired entries, then the oldest ones (Map keeps insertion order) until at most `max - 1` remain. */
function prune<T extends { expires: number }>(m: Map<string, T>, now: number, max: number): void {
  for (const [k, v] of m) if (v.expires <= now) m.delete(k)
  for (const k of m.keys()) {
    if (m.size < max) break
    m.delete(k)
  }
}

export function uiRoutes(opts: UiOptions): UiRoutes {
  const now = opts.now ?? Date.now
  const logins = new Map<string, { expires: number }>()
  const sessions = new Map<string, Session>()

  function send(res: ServerResponse, status: number, type: string, body: string | Uint8Array, extra: Record<string, string> = {}): void {
    res.writeHead(status, {
      'content-type': type, 'content-length': String(Buffer.byteLength(body)), 'content-security-policy': CSP,
      'x-content-type-options': 'nosniff', 'referrer-policy': 'no-referrer', 'cache-control': 'no-store',
      'cross-origin-opener-policy': 'same-origin', 'cross-origin-resource-policy': 'same-origin', ...extra,
    }).end(body)
  }
  const json = (res: ServerResponse, status: number, body: unknown): void => send(res, status, 'application/json', JSON.stringify(body))

  function session(req: IncomingMessage): [string, Session] {
    const id = cookieOf(req.headers.cookie)
    const s = id === undefined ? undefined : sessions.get(id)
    if (id === undefined || s === undefined || s.expires <= now()) {
      if (id !== undefined) sessions.delete(id)
      throw new UiError(401, 'unauthorized', 'no session: run `aip ui --dir SITE` and open the URL it prints')
    }
    return [id, s]
  }

  /** CSRF: the session's token in the header, and a request from this very origin (a browser always sends Origin on POST). */
  function checkCsrf(req: IncomingMessage, s: Session, origin: string): void {
    const token = req.headers[CSRF_HEADER]
    if (typeof token !== 'string' || !sameSecret(token, s.csrf)) throw new UiError(403, 'csrf', `missing or wrong ${CSRF_HEADER} header`)
    if (req.headers.origin !== origin) throw new UiError(403, 'csrf', `Origin must be ${origin}`)
  }

  async function route(req: IncomingMessage, res: ServerResponse, url: URL, ctx: UiContext): Promise<void> {
    const { handlers } = ctx
    const method = req.method ?? 'GET'
    const p = url.pathname.slice(UI_PREFIX.length)
    const only = (m: string): void => { if (method !== m) throw new UiError(405, 'method_not_allowed', `use ${m}`) }
    if (p === '') {
      res.writeHead(308, { location: `${UI_PREFIX}/`, 'content-security-policy': CSP }).end()
      return
    }
    if (p === '/') { only('GET'); return send(res, 200, 'text/html; charset=utf-8', INDEX_HTML) }
    if (p === '/app.js') { only('GET'); return send(res, 200, 'text/javascript; charset=utf-8', APP_JS) }
    if (p === '/app.css') { only('GET'); return send(res, 200, 'text/css; charset=utf-8', APP_CSS) }
    if (p === '/login-token') {
      only('POST')
      if (!ctx.bearerOk) throw new UiError(401, 'unauthorized', 'missing or wrong bearer token (see api.token in the site directory)')
      prune(logins, now(), MAX_LOGIN_TOKENS)
      const token = secret()
      const expires = now() + LOGIN_TOKEN_TTL_MS
      logins.set(token, { expires })
      return json(res, 200, { url: `${ctx.origin}${UI_PREFIX}/login?token=${token}`, expiresAt: expires })
    }
    if (p === '/login') {
      only('GET')
      const token = url.searchParams.get('token') ?? ''
      const entry = SECRET_RE.test(token) ? logins.get(token) : undefined
      if (entry !== undefined) logins.delete(token) // one use, whatever happens next
      if (entry === undefined || entry.expires <= now()) {
        return send(res, 401, 'text/plain; charset=utf-8', 'This login link is unknown, used or expired. Run `aip ui --dir SITE` for a new one.\n')
      }
      prune(sessions, now(), MAX_SESSIONS)
      const id = secret()
      sessions.set(id, { csrf: secret(), expires: now() + SESSION_TTL_MS })
      res.writeHead(303, {
        location: `${UI_PREFIX}/`, 'content-security-policy': CSP, 'cache-control': 'no-store', 'referrer-policy': 'no-referrer',
        'set-cookie': `${SESSION_COOKIE}=${id}; HttpOnly; SameSite=Strict; Path=${UI_PREFIX}; Max-Age=${Math.floor(SESSION_TTL_MS / 1000)}`,
      }).end()
      return
    }
    if (!p.startsWith('/api/')) throw new UiError(404, 'not_found', `no route ${url.pathname}`)
    const [id, s] = session(req)
    switch (p) {
      case '/api/session': only('GET'); return json(res, 200, { csrf: s.csrf, genesisCharter: opts.genesisCharter, siteKey: opts.siteKey ?? '' })
      case '/api/status': only('GET'); return json(res, 200, await handlers.status())
      case '/api/peers': only('GET'); return json(res, 200, { peers: await handlers.peers() })
      case '/api/envelopes': { only('GET'); return envelopes(handlers, res, url) }
      case '/api/record': {
        only('GET')
        const id = url.searchParams.get('id') ?? ''
        if (!RECORD_ID_RE.test(id)) throw new UiError(400, 'bad_query', 'id must be a record ID')
        const bytes = await handlers.getRecord(id)
        if (bytes === undefined) throw new UiError(404, 'not_found', `no record ${id} at this node`)
        return send(res, 200, 'application/octet-stream', bytes)
      }
      case '/api/metrics': {
        only('GET')
        if (opts.metrics === undefined) throw new UiError(404, 'not_found', 'metrics are not enabled')
        return send(res, 200, 'text/plain; charset=utf-8', await opts.metrics())
      }
      case '/api/alerts': only('GET'); return json(res, 200, { alerts: opts.alerts?.() ?? [] })
      case '/api/align': only('GET'); return json(res, 200, { bundles: await needAlign().bundles() })
      case '/api/align/reviews': only('GET'); return send(res, 200, 'application/octet-stream', batch(await needAlign().reviews()))
      case '/api/align/decide': {
        only('POST'); checkCsrf(req, s, ctx.origin)
        const d = parseDecision(await readBody(req, MAX_DECIDE_BODY_BYTES))
        try {
          return json(res, 200, await needAlign().decide(d.bundle, d.decision, d.reason))
        } catch (err) {
          // alignment-v1 §4: an unknown, draft or incomplete bundle is the operator's mistake, said plainly
          throw new UiError(422, 'align_refused', (err as Error).message)
        }
      }
      case '/api/records': {
        only('POST'); checkCsrf(req, s, ctx.origin)
        const outcome = await handlers.publish(await readBody(req, opts.maxBodyBytes))
        return json(res, outcome.action === 'reject' ? 422 : 200, outcome)
      }
      case '/api/logout': {
        only('POST'); checkCsrf(req, s, ctx.origin)
        sessions.delete(id)
        return send(res, 200, 'application/json', '{}', { 'set-cookie': `${SESSION_COOKIE}=; HttpOnly; SameSite=Strict; Path=${UI_PREFIX}; Max-Age=0` })
      }
    }
    if (p.startsWith('/api/audit/') && AUDIT_PATHS.has(p.slice('/api/audit/'.length))) {
      only('GET')
      if (handlers.audit === undefined) throw new UiError(404, 'not_found', 'this node keeps no audit log')
      const r = await handlers.audit('GET', p.slice('/api/audit/'.length), new URLSearchParams())
      return send(res, r.status, r.contentType, r.body)
    }
    throw new UiError(404, 'not_found', `no route ${url.pathname}`)
  }

  function needAlign(): UiAlign {
    if (opts.align === undefined) throw new UiError(404, 'not_found', 'this node has no alignment exchange')
    return opts.align
  }

  /** Raw envelopes, as the store holds them: the browser decodes and verifies them itself. */
  async function envelopes(handlers: ApiHandlers, res: ServerResponse, url: URL): Promise<void> {
    const after = url.searchParams.get('after') ?? undefined
    if (after !== undefined && !CURSOR_RE.test(after)) throw new UiError(400, 'bad_query', 'after must be a page cursor')
    const limitText = url.searchParams.get('limit') ?? String(MAX_ENVELOPE_BATCH)
    if (!/^[0-9]{1,6}$/.test(limitText) || Number(limitText) < 1) throw new UiError(400, 'bad_query', 'limit must be a positive integer')
    const type = url.searchParams.get('type') ?? undefined
    if (type !== undefined && !TYPE_RE.test(type)) throw new UiError(400, 'bad_query', 'type must be a record type name')
    const page = await handlers.listRecords({ after, type, limit: Math.min(Number(limitText), MAX_ENVELOPE_BATCH) })
    const all = await Promise.all(page.records.map((r) => handlers.getRecord(r.id)))
    // a record withdrawn between the listing and now is left out
    send(res, 200, 'application/octet-stream', batch(all.filter((b): b is Uint8Array => b !== undefined)), page.next === undefined ? {} : { 'x-aip-next': page.next })
  }

  return {
    async handle(req, res, url, ctx) {
      try {
        await route(req, res, url, ctx)
      } catch (err) {
        if (!(err instanceof UiError)) throw err
        json(res, err.status, { error: err.code, message: err.message })
      }
    },
  }
}

/** An envelope batch: each envelope as a 4-byte big-endian length, then its bytes. */
function batch(envelopes: readonly Uint8Array[]): Buffer {
  const parts: Uint8Array[] = []
  for (const bytes of envelopes) {
    const len = Buffer.alloc(4)
    len.writeUInt32BE(bytes.length)
    parts.push(len, bytes)
  }
  return Buffer.concat(parts)
}

/** POST /ui/api/align/decide's body: JSON {bundle: record ID, decision: approve | reject, reason: non-empty text}. */
function parseDecision(body: Uint8Array): { bundle: string; decision: 'approve' | 'reject'; reason: string } {
  let v: unknown
  try {
    v = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(body))
  } catch {
    throw new UiError(400, 'bad_body', 'the body must be JSON {bundle, decision, reason}')
  }
  const o = (typeof v === 'object' && v !== null ? v : {}) as Record<string, unknown>
  if (typeof o.bundle !== 'string' || !RECORD_ID_RE.test(o.bundle)) throw new UiError(400, 'bad_body', 'bundle must be a record ID')
  if (o.decision !== 'approve' && o.decision !== 'reject') throw new UiError(400, 'bad_body', 'decision must be approve or reject')
  if (typeof o.reason !== 'string' || o.reason.trim() === '') throw new UiError(400, 'bad_body', 'a decision needs a reason')
  return { bundle: o.bundle, decision: o.decision, reason: o.reason.trim() }
}

async function readBody(req: IncomingMessage, max: number): Promise<Uint8Array> {
  const declared = Number(req.headers['content-length'])
  if (req.headers['content-length'] === undefined || !Number.isSafeInteger(declared)) throw new UiError(411, 'length_required', 'a record body needs a Content-Length')
  if (declared > max) throw new UiError(413, 'body_too_large', `the body is ${declared} bytes; the limit is ${max}`)
  const chunks: Buffer[] = []
  let n = 0
  for await (const chunk of req as AsyncIterable<Buffer>) {
    n += chunk.length
    if (n > max) throw new UiError(413, 'body_too_large', `the body exceeds the limit of ${max} bytes`)
    chunks.push(chunk)
  }
  return new Uint8Array(Buffer.concat(chunks))
}
