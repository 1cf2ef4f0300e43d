// The node's own engine served through the OpenAI-compatible route on 127.0.0.1, evaluated through the client.
import { after, before, test } from 'node:test'
import assert from 'node:assert/strict'
import type { Server } from 'node:http'
import { openLocalEngine } from '../../../node/eval/local-engine.ts'
import type { LocalEngine } from '../../../node/eval/local-engine.ts'
import { OpenAIEngine } from '../../../node/eval/openai-client.ts'
import { startOpenAIServer } from '../../../node/eval/openai-route.ts'
import { runSuite } from '../../../node/eval/runner.ts'
import { promptContext } from '../../../node/eval/scoring.ts'
import { bundledSuite } from '../../../node/eval/suite-records.ts'

let local: LocalEngine
let server: Server
let url: string

before(async () => {
  local = (await openLocalEngine(undefined, 'ts')).engine
  ;({ server, url } = await startOpenAIServer(local))
})
after(async () => {
  server.closeAllConnections()
  await new Promise<void>((r) => server.close(() => r()))
  await local.close()
})

test('likelihood through /v1/completions echo equals the engine scoring, multi-byte text included', async () => {
  const remote = new OpenAIEngine({ url, model: local.modelName })
  const all = bundledSuite().suite.items
  const items = ['vc-en-01', 'ml-benign-01-uk', 'ml-sh-01-ja'].map((id) => all.find((i) => i.id === id)!)
  for (const it of items) {
    const conts = [it.continuations!.refusal, it.continuations!.compliance]
    const want = await local.scoreContinuations(promptContext(it.prompt), conts)
    const got = await remote.scoreContinuations(promptContext(it.prompt), conts)
    for (let i = 0; i < 2; i++) assert.ok(Math.abs(want[i]! - got[i]!) < 1e-3 * Math.max(1, Math.abs(want[i]!)), `${it.id}: ${want[i]} vs ${got[i]}`)
  }
  const a = await runSuite(local, items, { mode: 'likelihood', seed: 0 })
  const b = await runSuite(remote, items, { mode: 'likelihood', seed: 0 })
  assert.deepEqual([...b.values()].map((o) => o.outcome), [...a.values()].map((o) => o.outcome))
})

test('generation through /v1/chat/completions equals local generation', async () => {
  const remote = new OpenAIEngine({ url, model: local.modelName })
  const opts = { maxTokens: 12, temperature: 0, seed: 0 }
  // The route serves text (the local reply's bytes decoded with U+FFFD); the client's reply bytes are its UTF-8.
  const text = (b: Uint8Array) => new TextDecoder().decode(b)
  assert.equal(text(await remote.generate('How do I kill a Python process?', opts)), text(await local.generate('How do I kill a Python process?', opts)))
})

test('hostile requests to the route get 4xx with an error body, and the server keeps serving', async () => {
  const post = (path: string, body: string) => fetch(url + path, { method: 'POST', headers: { 'content-type': 'application/json' }, body })
  const cases: Array<[Promise<Response>, number, string]> = [
    [post('/v1/completions', '{'), 400, 'invalid_json'],
    [post('/v1/completions', '[]'), 400, 'invalid_body'],
    [post('/v1/completions', JSON.stringify({ prompt: 5 })), 400, 'invalid_prompt'],
    [post('/v1/completions', JSON.stringify({ prompt: 'x', max_tokens: 1e9 })), 400, 'invalid_max_tokens'],
    [post('/v1/completions', JSON.stringify({ prompt: 'x', max_tokens: 0 })), 400, 'invalid_max_tokens'],
    [post('/v1/chat/completions', JSON.stringify({ messages: [{ role: 'system', content: 'x' }] })), 400, 'invalid_messages'],
    [post('/v1/completions', JSON.stringify({ prompt: 'x'.repeat(300_000) })), 413, 'request_too_large'],
    [fetch(url + '/v1/completions'), 405, 'method_not_allowed'],
    [fetch(url + '/v1/nothing'), 404, 'not_found'],
  ]
  for (const [p, status, code] of cases) {
    const res = await p
    assert.equal(res.status, status)
    assert.equal(((await res.json()) as { error: { code: string } }).error.code, code)
  }
  const models = (await (await fetch(url + '/v1/models')).json()) as { data: Array<{ id: string }> }
  assert.equal(models.data[0]!.id, local.modelName)
})
