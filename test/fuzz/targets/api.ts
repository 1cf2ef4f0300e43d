/**
 * Fuzz target for the local HTTP API (node/api/server.ts) of a real running site: a one-site testbed directory,
 * startSiteNode (libp2p on 127.0.0.1, level on disk), and raw HTTP/1.1 requests written to a TCP socket, so that
 * request lines, headers and framing can be anything. Each request is written whole; then the socket is half-closed,
 * or (for requests whose framing is complete, and for a chunk announcing 2^60 bytes) kept open until the server
 * answers or closes.
 *
 * Oracle: the server answers or closes within HANG_MS; never a 5xx; a JSON error carries a string code; no
 * handler failure is logged ("api handler failed"); a POSTed envelope that is not one of the site's own valid
 * records is never accepted.
 */
import { connect } from 'node:net'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import fc from 'fast-check'
import { createTestbed, benchmarkResult } from '../../../node/net/testbed.ts'
import { readApiToken } from '../../../node/site/index.ts'
import { startSiteNode } from '../../../node/site-node.ts'
import type { SiteNode } from '../../../node/site-node.ts'
import { mutated } from '../corpus.ts'
import type { FuzzTarget, Verdict } from '../harness.ts'

interface Request {
  method: string
  path: string
  query: [string, string][]
  auth: 'good' | 'none' | 'wrong' | 'lowercase' | 'garbage'
  body: Uint8Array | undefined
  framing: 'length' | 'chunked' | 'short' | 'long' | 'huge-chunk' | 'none'
  extra: [string, string][]
  halfClose: boolean
}

const PATHS = ['/v1/records', '/v1/records/', '/v1/status', '/v1/peers', '/metrics', '/', '/v1', '/v1/records/bafkreiabc', '//v1/records', '/v1/records/../status', '/v1/records/%00']
const KEYS = ['type', 'signer', 'suite', 'model', 'since', 'until', 'limit', 'after', '__proto__', 'constructor']
const ascii = (max: number) => fc.string({ unit: 'binary-ascii', maxLength: max })

/** The site's own valid records (a POST of one is a legitimate accept); everything else must not be accepted. */
let valid: Uint8Array[] = []
let node: SiteNode | undefined
let baseDir: string | undefined
let token = ''
let handlerFailures = 0
let restoreConsole: (() => void) | undefined

function requestArb(): fc.Arbitrary<Request> {
  const body = fc.oneof(fc.constant(undefined), mutated(valid.length > 0 ? valid : [new Uint8Array([0xd2])], 64))
  return fc.record({
    method: fc.oneof({ weight: 6, arbitrary: fc.constantFrom('GET', 'POST', 'PUT', 'DELETE', 'HEAD', 'OPTIONS') }, { weight: 1, arbitrary: ascii(8) }),
    path: fc.oneof({ weight: 6, arbitrary: fc.constantFrom(...PATHS) }, { weight: 1, arbitrary: ascii(40).map((s) => `/${s}`) }),
    query: fc.array(fc.tuple(fc.oneof(fc.constantFrom(...KEYS), ascii(6)), fc.oneof(ascii(12), fc.constantFrom('0', '1', '-1', '99999999999', 'bafkrei', 'a'.repeat(64)))), { maxLength: 3 }),
    auth: fc.constantFrom('good', 'good', 'good', 'none', 'wrong', 'lowercase', 'garbage'),
    body,
    framing: fc.constantFrom('length', 'length', 'length', 'chunked', 'short', 'long', 'huge-chunk', 'none'),
    extra: fc.array(fc.tuple(fc.constantFrom('expect', 'connection', 'transfer-encoding', 'content-type', 'x-a', 'host'), ascii(16)), { maxLength: 2 }),
    halfClose: fc.boolean(),
  }).map((r) => ({ ...r, halfClose: r.halfClose || !['length', 'chunked', 'none', 'huge-chunk'].includes(r.framing) || r.extra.length > 0 }))
}

function render(r: Request): Buffer {
  const qs = r.query.length === 0 ? '' : `?${r.query.map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(v)}`).join('&')}`
  const auth = { good: `Bearer ${token}`, none: undefined, wrong: `Bearer ${'0'.repeat(64)}`, lowercase: `bearer ${token}`, garbage: 'Basic Zm9vOmJhcg==' }[r.auth]
  const head = [`${r.method} ${r.path}${qs} HTTP/1.1`, 'host: 127.0.0.1', 'connection: close']
  if (auth !== undefined) head.push(`authorization: ${auth}`)
  for (const [k, v] of r.extra) head.push(`${k}: ${v}`)
  const body = r.body ?? new Uint8Array()
  let payload: Buffer = Buffer.from(body)
  switch (r.framing) {
    case 'length': head.push(`content-length: ${body.length}`); break
    case 'short': head.push(`content-length: ${Math.max(0, body.length - 3)}`); break
    case 'long': head.push(`content-length: ${body.length + 100}`); break
    case 'chunked':
      head.push('transfer-encoding: chunked')
      payload = Buffer.concat([Buffer.from(`${body.length.toString(16)}\r\n`), payload, Buffer.from('\r\n0\r\n\r\n')])
      break
    case 'huge-chunk':
      head.push('transfer-encoding: chunked')
      payload = Buffer.concat([Buffer.from('1000000000000000\r\n'), payload])
      break
    case 'none': break
  }
  return Buffer.concat([Buffer.from(`${head.join('\r\n')}\r\n\r\n`, 'latin1'), payload])
}

function exchange(bytes: Buffer, halfClose: boolean): Promise<{ text: string; closed: boolean }> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = []
    const s = connect(node!.api!.port, '127.0.0.1')
    s.on('data', (c: Buffer) => chunks.push(c))
    s.on('error', () => undefined)
    s.on('close', () => resolve({ text: Buffer.concat(chunks).toString('latin1'), closed: true }))
    if (halfClose) s.end(bytes)
    else s.write(bytes)
  })
}

async function run(r: Request): Promise<Verdict> {
  const before = handlerFailures
  const { text } = await exchange(render(r), r.halfClose)
  if (handlerFailures > before) return { fail: 'crash', reason: 'the server logged a handler failure' }
  const m = /^HTTP\/1\.[01] (\d{3})/.exec(text)
  if (m === null) return 'rejected' // closed without an answer (e.g. the client's own framing cut the request short)
  const status = Number(m[1])
  if (status >= 500) return { fail: 'crash', reason: `status ${status}: ${text.slice(0, 200)}` }
  const split = text.indexOf('\r\n\r\n')
  const headers = text.slice(0, split).toLowerCase()
  const body = text.slice(split + 4)
  if (headers.includes('content-type: application/json') && status >= 400 && r.method !== 'HEAD') {
    let code: unknown
    try {
      // an API error is {error: CODE, message}; a refused record is a PublishOutcome {action, code, message}
      const j = JSON.parse(body) as { error?: unknown; code?: unknown }
      code = j.error ?? j.code
    } catch {
      return { fail: 'crash', reason: `status ${status} with a JSON body that does not parse` }
    }
    if (typeof code !== 'string') return { fail: 'crash', reason: `status ${status} without an error code` }
  }
  if (r.method === 'POST' && status === 200 && /"action":"accept"/.test(body)) {
    const sent = r.body ?? new Uint8Array()
    if (!valid.some((v) => Buffer.compare(v, sent) === 0)) return { fail: 'accepted-invalid', reason: 'the API accepted an envelope that is not a valid record' }
    return 'accepted'
  }
  return status < 400 ? 'accepted' : 'rejected'
}

const NOW = Date.now()

export const apiTarget: FuzzTarget<Request> = {
  name: 'api',
  // replaced in setup, once the site's own records exist
  arbitrary: requestArb(),
  show: (r) => render(r).toString('latin1').replace(/\r\n/g, '⏎'),
  async setup() {
    baseDir = await mkdtemp(join(tmpdir(), 'aip-fuzz-api-'))
    const bed = await createTestbed(baseDir, 1, NOW, 'fuzz-api')
    const site = bed.sites[0]!
    valid = Array.from({ length: 8 }, (_, i) => benchmarkResult(site.key, i, NOW).bytes)
    this.arbitrary = requestArb()
    const origError = console.error
    console.error = (...args: unknown[]) => {
      if (String(args[0]).includes('api handler failed')) handlerFailures++
      else origError(...args)
    }
    restoreConsole = () => { console.error = origError }
    node = await startSiteNode(site.dir, { listen: ['/ip4/127.0.0.1/tcp/0'], bootstrap: [], sync: false, log: () => undefined })
    token = await readApiToken(site.dir)
  },
  run,
  async teardown() {
    await node?.stop()
    restoreConsole?.()
    if (baseDir !== undefined) await rm(baseDir, { recursive: true, force: true })
    node = undefined
  },
}
