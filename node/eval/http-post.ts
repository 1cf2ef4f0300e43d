/**
 * One JSON POST to an external engine over node:http(s) with keep-alive connections (specs/evaluation-v1.md §7.1):
 * REQUEST_TIMEOUT_MS for the whole exchange, bodies over MAX_RESPONSE_BYTES refused (declared or streamed),
 * redirects not followed. node:http rather than fetch: fetch's stream machinery cost ~2 ms of CPU per request here,
 * which is what limited concurrent runs on a busy machine (bench/suite.ts external_cpu_ms_per_item).
 */
import { Agent as HttpAgent, request as httpRequest, type IncomingHttpHeaders } from 'node:http'
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https'
import { MAX_ENGINE_CONCURRENCY, MAX_RESPONSE_BYTES, REQUEST_TIMEOUT_MS } from './constants.ts'
import { EvalError } from './errors.ts'

const agents = {
  'http:': new HttpAgent({ keepAlive: true, maxSockets: MAX_ENGINE_CONCURRENCY }),
  'https:': new HttpsAgent({ keepAlive: true, maxSockets: MAX_ENGINE_CONCURRENCY }),
}

export interface PostAnswer {
  status: number
  headers: IncomingHttpHeaders
  text: string
}

export function postJson(url: URL, body: string): Promise<PostAnswer> {
  return new Promise((resolve, reject) => {
    const send = url.protocol === 'https:' ? httpsRequest : httpRequest
    const req = send(url, {
      method: 'POST',
      agent: agents[url.protocol as 'http:' | 'https:'],
      headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) },
      timeout: REQUEST_TIMEOUT_MS,
    }, (res) => {
      const declared = Number(res.headers['content-length'] ?? '0')
      if (declared > MAX_RESPONSE_BYTES) {
        res.destroy()
        reject(new EvalError('ENGINE_BAD_RESPONSE', `response exceeds ${MAX_RESPONSE_BYTES} bytes`))
        return
      }
      const chunks: Buffer[] = []
      let size = 0
      res.on('data', (c: Buffer) => {
        size += c.length
        if (size > MAX_RESPONSE_BYTES) {
          res.destroy()
          reject(new EvalError('ENGINE_BAD_RESPONSE', `response exceeds ${MAX_RESPONSE_BYTES} bytes`))
          return
        }
        chunks.push(c)
      })
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, text: Buffer.concat(chunks).toString('utf8') }))
      res.on('error', (e) => reject(new EvalError('ENGINE_FAILED', `${url.href}: ${e.message}`)))
    })
    const deadline = setTimeout(() => req.destroy(new Error(`no answer within ${REQUEST_TIMEOUT_MS} ms`)), REQUEST_TIMEOUT_MS)
    deadline.unref()
    req.on('timeout', () => req.destroy(new Error(`no answer within ${REQUEST_TIMEOUT_MS} ms`)))
    req.on('error', (e) => reject(new EvalError('ENGINE_FAILED', `${url.href}: ${e.message}`)))
    req.on('close', () => clearTimeout(deadline))
    req.end(body)
  })
}
