import { test } from 'node:test'
import assert from 'node:assert/strict'
import { ensureBundledModel } from '../../../kernels/bundled.ts'
import { Engine } from '../../../kernels/engine.ts'
import { loadModel } from '../../../kernels/loader.ts'
import { TsBackend } from '../../../kernels/ts-backend.ts'
import { createOrtBackend } from '../../../kernels/ort/index.ts'

const bytes = (s: string) => [...new TextEncoder().encode(s)]

test('the engine on ORT: generate and scoreContinuations agree with the TS reference', async () => {
  const model = loadModel(await ensureBundledModel())
  const ts = new Engine(new TsBackend(model.config, model.weights))
  const ort = new Engine(await createOrtBackend(model))
  try {
    const prompt = [256, ...bytes('Refuse harmful requests; help with benign ones. ')]
    const conts = [bytes('Sure.'), bytes('I cannot help with that.'), [], bytes('x')]
    const want = await ts.scoreContinuations(prompt, conts)
    const got = await ort.scoreContinuations(prompt, conts)
    for (let i = 0; i < want.length; i++) assert.ok(Math.abs(got[i]! - want[i]!) <= 1e-4 * Math.max(1, Math.abs(want[i]!)), `continuation ${i}: ${got[i]} vs ${want[i]}`)
    // Sampling with a fixed seed: every draw compares the same probabilities, so the streams must match.
    const opts = { maxTokens: 40, temperature: 0.8, seed: 7 }
    const a: number[] = []
    const b: number[] = []
    for await (const t of ts.generate(prompt, opts)) a.push(t)
    for await (const t of ort.generate(prompt, opts)) b.push(t)
    assert.deepEqual(b, a)
    assert.equal(b.length, 40)
  } finally {
    await ort.backend.dispose()
  }
})
