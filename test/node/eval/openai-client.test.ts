import { test } from 'node:test'
import assert from 'node:assert/strict'
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { OpenAIEngine, checkEndpointAllowed, isLoopbackHost } from '../../../node/eval/openai-client.ts'

test('only loopback or allowlisted hosts are allowed, before any connection', () => {
  for (const h of ['127.0.0.1', '127.8.9.10', 'localhost', '[::1]']) assert.ok(isLoopbackHost(h), h)
  for (const h of ['10.0.0.1', '128.0.0.1', 'example.org', '127.0.0.1.nip.io', '0.0.0.0']) assert.ok(!isLoopbackHost(h), h)
  assert.throws(() => checkEndpointAllowed('http://10.1.2.3:8000'), /ENGINE_NOT_ALLOWED: 10\.1\.2\.3 is neither loopback/)
  assert.equal(checkEndpointAllowed('http://10.1.2.3:8000', ['10.1.2.3']).hostname, '10.1.2.3')
  assert.throws(() => checkEndpointAllowed('file:///etc/passwd'), /not http/)
  assert.throws(() => checkEndpointAllowed('http://u:p@127.0.0.1/'), /credentials/)
  assert.throws(() => checkEndpointAllowed('not a url'), /not a URL/)
  assert.throws(() => new OpenAIEngine({ url: 'http://evil.example:80', model: 'm' }), /ENGINE_NOT_ALLOWED/)
})

test('a hostile server gets clear ENGINE_* errors: bad JSON, wrong shape, oversize body, HTTP errors, redirects', async () => {
  const server = createServer((req, res) => {
    const path = req.url ?? ''
    req.resume()
    if (path.startsWith('/notjson/')) res.end('<html>')
    else if (path.startsWith('/shape/')) res.end(JSON.stringify({ choices: [{ text: 'x', logprobs: null, message: { content: 5 } }] }))
    else if (path.startsWith('/huge/')) {
      res.writeHead(200, { 'content-type': 'application/json' })
      const chunk = Buffer.alloc(1 << 20, 0x20)
      let n = 0
      const push = () => { while (n < 8 && res.write(chunk)) n++; if (n < 8) res.once('drain', push); else res.end() }
      push()
    } else if (path.startsWith('/err/')) {
      res.writeHead(500)
      res.end('boom')
    } else {
      res.writeHead(302, { location: 'http://example.org/' })
      res.end()
    }
  })
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
  try {
    const e = (p: string) => new OpenAIEngine({ url: `${base}/${p}/`, model: 'm' })
    const gen = { maxTokens: 4, temperature: 0, seed: 0 }
    await assert.rejects(e('notjson').generate('hi', gen), /ENGINE_BAD_RESPONSE: .*did not answer JSON/)
    await assert.rejects(e('shape').generate('hi', gen), /ENGINE_BAD_RESPONSE: chat answer has no message.content/)
    await assert.rejects(e('shape').scoreContinuations('ctx', ['a']), /ENGINE_BAD_RESPONSE: completions answer has no echo/)
    await assert.rejects(e('huge').generate('hi', gen), /ENGINE_BAD_RESPONSE: response exceeds/)
    await assert.rejects(e('err').generate('hi', gen), /ENGINE_FAILED: .*answered 500/)
    await assert.rejects(e('redirect').generate('hi', gen), /ENGINE_FAILED/)
  } finally {
    server.closeAllConnections()
    await new Promise<void>((r) => server.close(() => r()))
  }
})
