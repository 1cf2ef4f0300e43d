/**
 * An OpenAI-compatible HTTP route serving a node's own engine (specs/evaluation-v1.md §7.2):
 *   GET  /v1/models, POST /v1/completions (echo + logprobs for likelihood scoring), POST /v1/chat/completions.
 * Hostile input gets 400/404/405/413 with an OpenAI-style error body, never a crash.
 */
import { createServer } from 'node:http'
import type { IncomingMessage, Server, ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { MAX_PROMPT_BYTES, MAX_REQUEST_BYTES, MAX_ROUTE_TOKENS } from './constants.ts'

/** One prompt token: its UTF-8 byte span in the prompt and log p(token | preceding tokens). */
export interface PromptToken {
  start: number
  end: number
  logprob: number
}

/** What the route needs from an engine (node/eval/local-engine.ts implements it). */
export interface RouteEngine {
  readonly modelName: string
  promptLogprobs(text: string): Promise<PromptToken[]>
  /** Greedy raw continuation of `text`. */
  complete(text: string, maxTokens: number): Promise<string>
  /** Greedy reply to a user message. */
  chat(prompt: string, maxTokens: number): Promise<string>
}

class HttpError extends Error {
  constructor(readonly status: number, readonly code: string, message: string) {
    super(message)
  }
}

async function readJson(req: IncomingMessage): Promise<Record<string, unknown>> {
  const declared = Number(req.headers['content-length'] ?? '0')
  if (declared > MAX_REQUEST_BYTES) throw new HttpError(413, 'request_too_large', `body exceeds ${MAX_REQUEST_BYTES} bytes`)
  const chunks: Buffer[] = []
  let size = 0
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length
    if (size > MAX_REQUEST_BYTES) throw new HttpError(413, 'request_too_large', `body exceeds ${MAX_REQUEST_BYTES} bytes`)
    chunks.push(chunk)
  }
  let v: unknown
  try {
    v = JSON.parse(Buffer.concat(chunks).toString('utf8'))
  } catch {
    throw new HttpError(400, 'invalid_json', 'body is not JSON')
  }
  if (typeof v !== 'object' || v === null || Array.isArray(v)) throw new HttpError(400, 'invalid_body', 'body must be a JSON object')
  return v as Record<string, unknown>
}

function textField(body: Record<string, unknown>, name: string): string {
  const v = body[name]
  if (typeof v !== 'string' || v.length === 0 || Buffer.byteLength(v) > MAX_PROMPT_BYTES) {
    throw new HttpError(400, 'invalid_' + name, `${name} must be a string of 1..${MAX_PROMPT_BYTES} bytes`)
  }
  return v
}

function maxTokens(body: Record<string, unknown>, dflt: number): number {
  const v = body.max_tokens ?? dflt
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 0 || v > MAX_ROUTE_TOKENS) {
    throw new HttpError(400, 'invalid_max_tokens', `max_tokens must be an integer in [0, ${MAX_ROUTE_TOKENS}]`)
  }
  return v
}

/** UTF-16 offset of the character containing each UTF-8 byte of `text`. */
function utf16OffsetsOfBytes(text: string): number[] {
  const out: number[] = []
  let u16 = 0
  for (const ch of text) {
    const n = Buffer.byteLength(ch)
    for (let i = 0; i < n; i++) out.push(u16)
    u16 += ch.length
  }
  return out
}

async function completions(engine: RouteEngine, body: Record<string, unknown>): Promise<unknown> {
  const prompt = textField(body, 'prompt')
  const echo = body.echo === true
  const n = maxTokens(body, 16)
  const wantLogprobs = body.logprobs !== undefined && body.logprobs !== null
  if (!echo && n === 0) throw new HttpError(400, 'invalid_max_tokens', 'max_tokens 0 needs echo')
  const generated = n > 0 ? await engine.complete(prompt, n) : ''
  let logprobs: unknown = null
  if (echo && wantLogprobs) {
    const toks = await engine.promptLogprobs(prompt)
    const bytes = Buffer.from(prompt, 'utf8')
    const offs = utf16OffsetsOfBytes(prompt)
    logprobs = {
      tokens: toks.map((t) => bytes.subarray(t.start, t.end).toString('utf8')),
      token_logprobs: toks.map((t) => t.logprob),
      text_offset: toks.map((t) => offs[t.start]!),
      top_logprobs: null,
    }
  }
  return {
    id: 'cmpl-aip',
    object: 'text_completion',
    created: 0,
    model: engine.modelName,
    choices: [{ index: 0, text: (echo ? prompt : '') + generated, logprobs, finish_reason: 'length' }],
  }
}

async function chat(engine: RouteEngine, body: Record<string, unknown>): Promise<unknown> {
  const messages = body.messages
  if (!Array.isArray(messages) || messages.length === 0) throw new HttpError(400, 'invalid_messages', 'messages must be a non-empty array')
  const last = messages[messages.length - 1] as Record<string, unknown> | null
  if (typeof last !== 'object' || last === null || last.role !== 'user') throw new HttpError(400, 'invalid_messages', 'the last message must have role "user"')
  const content = textField(last, 'content')
  const reply = await engine.chat(content, maxTokens(body, 64))
  return {
    id: 'chatcmpl-aip',
    object: 'chat.completion',
    created: 0,
    model: engine.modelName,
    choices: [{ index: 0, message: { role: 'assistant', content: reply }, finish_reason: 'length' }],
  }
}

/** Handles /v1/* requests; resolves false for other paths (so it can be mounted inside another server). */
export async function handleOpenAI(engine: RouteEngine, req: IncomingMessage, res: ServerResponse): Promise<boolean> {
  const path = (req.url ?? '/').split('?')[0]!
  if (!path.startsWith('/v1/')) return false
  const send = (status: number, v: unknown) => {
    const body = JSON.stringify(v)
    res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) })
    res.end(body)
  }
  try {
    const routes: Record<string, [string, () => Promise<unknown>]> = {
      '/v1/models': ['GET', async () => ({ object: 'list', data: [{ id: engine.modelName, object: 'model', owned_by: 'aip' }] })],
      '/v1/completions': ['POST', async () => completions(engine, await readJson(req))],
      '/v1/chat/completions': ['POST', async () => chat(engine, await readJson(req))],
    }
    const route = routes[path]
    if (route === undefined) throw new HttpError(404, 'not_found', `no route ${path}`)
    if (req.method !== route[0]) throw new HttpError(405, 'method_not_allowed', `${path} takes ${route[0]}`)
    send(200, await route[1]())
  } catch (e) {
    const err = e instanceof HttpError ? e : new HttpError(500, 'engine_failed', (e as Error).message)
    if (err.status === 413) res.setHeader('connection', 'close')
    send(err.status, { error: { message: err.message, type: 'invalid_request_error', code: err.code } })
  }
  return true
}

/** A standalone server for the route (tests, `aip serve-openai`-style use). Listens on 127.0.0.1 by default. */
export async function startOpenAIServer(engine: RouteEngine, port = 0, host = '127.0.0.1'): Promise<{ server: Server; url: string }> {
  const server = createServer((req, res) => {
    void handleOpenAI(engine, req, res).then((handled) => {
      if (!handled) {
        res.writeHead(404, { 'content-type': 'application/json' })
        res.end(JSON.stringify({ error: { message: 'not found', type: 'invalid_request_error', code: 'not_found' } }))
      }
    })
  })
  server.requestTimeout = 300_000
  await new Promise<void>((resolve) => server.listen(port, host, resolve))
  const addr = server.address() as AddressInfo
  return { server, url: `http://${host}:${addr.port}` }
}
