import { test } from 'node:test'
import assert from 'node:assert/strict'
import { EngineClient } from '../../kernels/client.ts'
import { ensureBundledModel } from '../../kernels/bundled.ts'
import { Engine } from '../../kernels/engine.ts'
import { ModelError } from '../../kernels/errors.ts'
import { loadModel } from '../../kernels/loader.ts'
import { TsBackend } from '../../kernels/ts-backend.ts'
import { tempDir } from './helpers.ts'

test('EngineClient runs the bundled model in a worker thread: same results as in-process, errors keep their class', async () => {
  const dir = await ensureBundledModel()
  const m = loadModel(dir)
  const local = new Engine(new TsBackend(m.config, m.weights))
  const client = await EngineClient.open()
  try {
    assert.equal(client.dir, dir)
    assert.equal(client.config.experts, 16)
    const prompt = [256, 72, 101, 108, 108, 111]
    // Requests issued together are served in order.
    const [rows, scores] = await Promise.all([client.logits(prompt), client.scoreContinuations(prompt, [[32, 119], [33]])])
    assert.deepEqual(rows, await local.logits(prompt))
    assert.deepEqual(scores, await local.scoreContinuations(prompt, [[32, 119], [33]]))

    const streamed: number[] = []
    for await (const t of client.generate(prompt, { maxTokens: 6 })) streamed.push(t)
    const want: number[] = []
    for await (const t of local.generate(prompt, { maxTokens: 6 })) want.push(t)
    assert.deepEqual(streamed, want)

    // Breaking out cancels; the worker keeps serving.
    for await (const _ of client.generate(prompt, { maxTokens: 1000 })) break
    await assert.rejects(client.logits([5000]), (e: unknown) => e instanceof RangeError && /not an id/.test(e.message))
    assert.equal((await client.logits([1])).length, 1)
  } finally {
    await client.close()
  }
})

test('EngineClient.open rejects with the load error', async () => {
  const { dir, cleanup } = tempDir()
  try {
    await assert.rejects(EngineClient.open({ model: dir }), (e: unknown) => e instanceof ModelError && e.code === 'io')
  } finally {
    cleanup()
  }
})

test('inference in the worker leaves the caller\'s event loop free', async () => {
  const client = await EngineClient.open()
  try {
    let turns = 0
    let spinning = true
    const spin = () => {
      turns++
      if (spinning) setImmediate(spin)
    }
    setImmediate(spin)
    const prompt = Array.from({ length: 600 }, (_, i) => i % 256)
    await client.scoreContinuations(prompt, [[1, 2, 3]])
    spinning = false
    // A synchronous in-thread prefill of 600 tokens would allow no turns at all while it runs.
    assert.ok(turns > 20, `event loop turned ${turns} times during inference`)
  } finally {
    await client.close()
  }
})
