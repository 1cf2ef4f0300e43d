/** The local engine appends an inference entry per call (audit-v1 §5.1): real engine, real log on disk, through the OpenAI route. */
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { createHash } from 'node:crypto'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { generateSigningKey } from '../../../protocol/keys.ts'
import { parseEntry } from '../../../protocol/audit/index.ts'
import { openLocalEngine } from '../../../node/eval/local-engine.ts'
import { startOpenAIServer } from '../../../node/eval/openai-route.ts'
import { OpenAIEngine } from '../../../node/eval/openai-client.ts'
import { SiteAudit } from '../../../node/audit/site-audit.ts'
import { DEFAULT_AUDIT_CONFIG } from '../../../node/audit/config.ts'

const sha = (s: string) => createHash('sha256').update(s).digest('hex')
const hex = (b: unknown) => Buffer.from(b as Uint8Array).toString('hex')

test('chat, completion and scoring calls are logged with digests, token counts and the weights root; content only when captured', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'aip-audit-engine-'))
  const { engine, commitment } = await openLocalEngine(undefined, 'ort')
  const audit = await SiteAudit.open({ dir, nation: 'CH', key: generateSigningKey(new Uint8Array(32).fill(3)) }, { config: { ...DEFAULT_AUDIT_CONFIG, captureContent: true } })
  const { server, url } = await startOpenAIServer(engine)
  try {
    engine.audit = { weightsRoot: commitment.weights_root, eachCall: true, log: (e) => audit.logInference(e) }
    const res = await fetch(`${url}/v1/chat/completions`, { method: 'POST', body: JSON.stringify({ messages: [{ role: 'user', content: 'Hello there' }], max_tokens: 5 }) })
    const reply = ((await res.json()) as { choices: { message: { content: string } }[] }).choices[0]!.message.content
    assert.equal(audit.log.size, 1, 'logged before the answer left')
    await engine.scoreContinuations('Is this safe?', [' yes', ' no'])
    await engine.flushAudit()
    const [chat, score] = (await audit.log.entries(0, 2)).map(parseEntry) as unknown as Record<string, unknown>[]
    assert.equal(chat!['gen_ai.operation.name'], 'chat')
    assert.equal(chat!['gen_ai.request.model'], engine.modelName)
    assert.equal(chat!['aip.caller'], 'local:openai-route')
    const out = chat!['gen_ai.usage.output_tokens'] as number
    assert.ok(out <= 5 && (out > 0 || reply === ''), `${out} output tokens for the reply ${JSON.stringify(reply)}`)
    assert.deepEqual(chat!['gen_ai.response.finish_reasons'], [out < 5 ? 'stop' : 'length'])
    assert.ok((chat!['gen_ai.usage.input_tokens'] as number) > 'Hello there'.length)
    assert.equal(hex(chat!['aip.prompt.sha256']), sha('Hello there'))
    assert.equal(hex(chat!['aip.output.sha256']), sha(reply))
    assert.equal(hex(chat!['aip.model.weights_root']), hex(commitment.weights_root))
    assert.equal(chat!['aip.content.captured'], true)
    assert.deepEqual(await audit.log.content(0), { prompt: 'Hello there', output: reply })
    assert.equal(score!['gen_ai.operation.name'], 'score')
    assert.equal(score!['aip.caller'], 'local:eval')
    engine.audit = undefined
    await engine.scoreContinuations('Is this safe?', [' yes'])
    assert.equal(audit.log.size, 2, 'detached: nothing logged')
  } finally {
    server.closeAllConnections()
    await new Promise<void>((r) => server.close(() => r()))
    await engine.close()
    await audit.close()
    await rm(dir, { recursive: true, force: true })
  }
})

test('an OpenAI-compatible server\'s answers are logged like the local engine\'s (the node\'s own route as the server)', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'aip-audit-openai-'))
  const { engine: served, commitment } = await openLocalEngine(undefined, 'ort')
  const audit = await SiteAudit.open({ dir, nation: 'CH', key: generateSigningKey(new Uint8Array(32).fill(4)) })
  const { server, url } = await startOpenAIServer(served)
  const client = new OpenAIEngine({ url, model: 'served-model' })
  try {
    client.audit = { weightsRoot: commitment.weights_root, eachCall: false, log: (e) => audit.logInference(e) }
    const reply = new TextDecoder().decode(await client.generate('Hello there', { maxTokens: 4, temperature: 0, seed: 0 }))
    await client.scoreContinuations('Is this safe?', [' yes', ' no'])
    await client.flushAudit()
    assert.equal(audit.log.size, 2)
    const [chat, score] = (await audit.log.entries(0, 2)).map(parseEntry) as unknown as Record<string, unknown>[]
    assert.equal(chat!['gen_ai.operation.name'], 'chat')
    assert.equal(chat!['gen_ai.request.model'], 'served-model')
    assert.equal(chat!['aip.caller'], 'local:eval')
    assert.deepEqual(chat!['gen_ai.response.finish_reasons'], ['length'], 'the server\'s finish_reason')
    assert.equal(hex(chat!['aip.prompt.sha256']), sha('Hello there'))
    assert.equal(hex(chat!['aip.output.sha256']), sha(reply))
    assert.equal(hex(chat!['aip.model.weights_root']), hex(commitment.weights_root))
    assert.equal(chat!['gen_ai.usage.input_tokens'], 0, 'this server reports no usage: 0, not a guess')
    assert.equal(score!['gen_ai.operation.name'], 'score')
    assert.equal(audit.log.size, 2)
  } finally {
    server.closeAllConnections()
    await new Promise<void>((r) => server.close(() => r()))
    await served.close()
    await audit.close()
    await rm(dir, { recursive: true, force: true })
  }
})
