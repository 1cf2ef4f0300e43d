import { test } from 'node:test'
import assert from 'node:assert/strict'
import { EngineClient } from '../../../kernels/client.ts'
import { ensureBundledModel } from '../../../kernels/bundled.ts'
import { Engine } from '../../../kernels/engine.ts'
import { loadModel } from '../../../kernels/loader.ts'
import { createOrtBackend } from '../../../kernels/ort/index.ts'

test('the ORT backend runs in the engine worker thread: same results as in-process ORT', async () => {
  const m = loadModel(await ensureBundledModel())
  const local = new Engine(await createOrtBackend(m))
  const client = await EngineClient.open({ backend: 'ort' })
  try {
    const prompt = [256, 72, 101, 108, 108, 111]
    assert.deepEqual(await client.logits(prompt), await local.logits(prompt))
    assert.deepEqual(await client.scoreContinuations(prompt, [[32, 119], [33]]), await local.scoreContinuations(prompt, [[32, 119], [33]]))
    const streamed: number[] = []
    for await (const t of client.generate(prompt, { maxTokens: 8 })) streamed.push(t)
    const want: number[] = []
    for await (const t of local.generate(prompt, { maxTokens: 8 })) want.push(t)
    assert.deepEqual(streamed, want)
    await assert.rejects(client.logits([5000]), RangeError)
  } finally {
    await client.close()
    await local.backend.dispose()
  }
})
