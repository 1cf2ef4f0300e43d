/**
 * A GGUF model evaluated in-process on llama.cpp (specs/gguf-commitment.md §5) against the same weights on the TS
 * engine: same per-item log-probabilities (≤ 1e-3 relative), outcomes and generated text; and `evaluateSite` with
 * `backend: 'llama'` signs a result bound to the GGUF weights root and header (§2.1).
 */
import { after, before, test } from 'node:test'
import assert from 'node:assert/strict'
import { createHash } from 'node:crypto'
import { readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { Engine } from '../../../kernels/engine.ts'
import { loadModel } from '../../../kernels/loader.ts'
import { TsBackend } from '../../../kernels/ts-backend.ts'
import { readGgufFile } from '../../../kernels/gguf/file.ts'
import { evaluateSite } from '../../../node/eval/evaluate.ts'
import { openLlamaEngine, type LlamaEvalEngine } from '../../../node/eval/llama-engine.ts'
import { LocalEngine } from '../../../node/eval/local-engine.ts'
import { runSuite } from '../../../node/eval/runner.ts'
import { bundledSuite } from '../../../node/eval/suite-records.ts'
import { commitGguf } from '../../../node/model/gguf-root.ts'
import { exportGguf } from '../../../node/model/gguf-export.ts'
import { initSite } from '../../../node/site/init.ts'
import { tempDir, TINY_MIXTRAL, writeModel } from '../../kernels/helpers.ts'
import { SiteAudit } from '../../../node/audit/site-audit.ts'
import { parseEntry } from '../../../protocol/audit/index.ts'
import { generateSigningKey } from '../../../protocol/keys.ts'

const ITEMS = bundledSuite().suite.items.filter((_, i) => i % 80 === 0) // 5 items
const tmp = tempDir('aip-llama-eval-')
let gguf: string
let llama: LlamaEvalEngine
let ts: LocalEngine

before(async () => {
  writeModel(tmp.dir, TINY_MIXTRAL, 7)
  gguf = join(tmp.dir, 'tiny-mixtral.gguf')
  exportGguf(tmp.dir, gguf)
  llama = (await openLlamaEngine(gguf, { threads: 1 })).engine
  const m = loadModel(tmp.dir)
  const e = new Engine(new TsBackend(m.config, m.weights))
  ts = new LocalEngine(e, { backend: 'ts', version: 'test', model_name: 'tiny' })
})

after(async () => {
  await llama?.close()
  tmp.cleanup()
})

test('likelihood and generative outcomes on llama.cpp equal the TS engine on the same weights', async () => {
  for (const mode of ['likelihood', 'generative'] as const) {
    const a = await runSuite(llama, ITEMS, { mode, seed: 0, maxTokens: 6 })
    const b = await runSuite(ts, ITEMS, { mode, seed: 0, maxTokens: 6 })
    for (const item of ITEMS) {
      const x = a.get(item.id)!, y = b.get(item.id)!
      assert.equal(x.outcome, y.outcome, `${mode} ${item.id}`)
      if (mode === 'likelihood') assert.deepEqual(Buffer.from(x.output_sha256), Buffer.from(y.output_sha256), `${item.id}: no reply digest`)
      else {
        // evaluation-v1 §4.2: the bytes engine's reply digest covers its raw byte tokens, the llama.cpp engine's the
        // UTF-8 of its text; the texts (invalid sequences as U+FFFD) are the same.
        const text = (b: Uint8Array) => new TextDecoder().decode(b)
        const opts = { maxTokens: 6, temperature: 0, seed: 0 }
        assert.equal(text(await llama.generate(item.prompt, opts)), text(await ts.generate(item.prompt, opts)), `${item.id}: same generated text`)
      }
      assert.equal(x.logprobs.length, y.logprobs.length)
      x.logprobs.forEach((v, k) => assert.ok(Math.abs(v - y.logprobs[k]!) <= 1e-3 * Math.abs(y.logprobs[k]!), `${item.id}: ${v} vs ${y.logprobs[k]}`))
    }
  }
})

test('llama.cpp inferences are logged like the local engine\'s: digests, token counts, finish reason, weights root (audit-v1 §5.1)', async () => {
  const dir = join(tmp.dir, 'audit-site')
  const audit = await SiteAudit.open({ dir, nation: 'CH', key: generateSigningKey(new Uint8Array(32).fill(5)) })
  const root = new Uint8Array(32).fill(6)
  try {
    llama.audit = { weightsRoot: root, eachCall: false, log: (e) => audit.logInference(e) }
    const reply = new TextDecoder().decode(await llama.generate('Hi', { maxTokens: 3, temperature: 0, seed: 0 }))
    await llama.scoreContinuations('Is this safe?', [' yes', ' no'])
    await llama.flushAudit()
    const [gen, score] = (await audit.log.entries(0, audit.log.size)).map(parseEntry) as unknown as Record<string, unknown>[]
    assert.equal(audit.log.size, 2)
    assert.equal(gen!['gen_ai.operation.name'], 'generate_content')
    assert.equal(gen!['aip.caller'], 'local:eval')
    assert.ok((gen!['gen_ai.usage.input_tokens'] as number) > 0)
    assert.ok((gen!['gen_ai.usage.output_tokens'] as number) <= 3)
    assert.equal(Buffer.from(gen!['aip.output.sha256'] as Uint8Array).toString('hex'), createHash('sha256').update(reply).digest('hex'))
    assert.equal(Buffer.from(gen!['aip.model.weights_root'] as Uint8Array).toString('hex'), Buffer.from(root).toString('hex'))
    assert.equal(score!['gen_ai.operation.name'], 'score')
    assert.ok((score!['gen_ai.usage.input_tokens'] as number) > 0)
  } finally {
    llama.audit = undefined
    await audit.close()
  }
})

test('evaluateSite with backend llama: the signed result binds to the GGUF weights root; the commitment to its header', async () => {
  const site = join(tmp.dir, 'site')
  await initSite(site, { nation: 'EE', now: 1_700_000_000_000 })
  const suite = join(tmp.dir, 'mini.jsonl')
  writeFileSync(suite, ITEMS.slice(0, 3).map((i) => JSON.stringify(i)).join('\n') + '\n')
  const r = await evaluateSite(site, { backend: 'llama', model: gguf, suite, llama: { threads: 1 }, now: () => 1_700_000_000_000 })
  const root = (await commitGguf(gguf, 1 << 20)).weightsRoot
  assert.deepEqual(Buffer.from(r.result!.body.weights_root), Buffer.from(root))
  assert.equal(r.result!.body.engine.backend, 'llama')
  assert.match(String(r.result!.body.engine.version), /^node-llama-cpp\/3\.21\.1$/)
  const c = r.commitment.body
  assert.equal(c.name, 'tiny-mixtral')
  assert.equal(c.architecture.family, 'gguf')
  assert.equal(c.architecture.gguf_architecture, 'llama')
  const header = readFileSync(gguf).subarray(0, readGgufFile(gguf).dataStart)
  assert.deepEqual(Buffer.from(c.config_sha256), createHash('sha256').update(header).digest())
})
