/**
 * The GGUF weights root against the committed vector (specs/vectors/gguf/weights-root.json, checked independently by
 * specs/vectors/gguf/check.py), through commitGguf and through commitWeights' GGUF dispatch, at several read sizes;
 * and `aip model export|info|commit|logits` on a GGUF file end to end.
 */
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { spawnSync } from 'node:child_process'
import { readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { loadModel } from '../../../kernels/loader.ts'
import { TsBackend } from '../../../kernels/ts-backend.ts'
import { commitGguf } from '../../../node/model/gguf-root.ts'
import { commitWeights } from '../../../node/model/weights-root.ts'
import { tempDir, TINY_MIXTRAL, writeModel } from '../../kernels/helpers.ts'

const vector = JSON.parse(readFileSync(new URL('../../../specs/vectors/gguf/weights-root.json', import.meta.url), 'utf8')) as {
  vectors: { file_hex: string; weights_root: string; params_total: number; params_active_per_token: number; tensors: unknown[] }
}
const AIP = new URL('../../../bin/aip.js', import.meta.url).pathname

test('GGUF weights root equals the committed vector for any read size; commitWeights dispatches GGUF files', async () => {
  const t = tempDir('aip-gguf-root-')
  try {
    const file = join(t.dir, 'v.gguf')
    writeFileSync(file, Buffer.from(vector.vectors.file_hex, 'hex'))
    for (const readBytes of [1, 7, 64, 1 << 20]) {
      const c = await commitGguf(file, readBytes)
      assert.equal(Buffer.from(c.weightsRoot).toString('hex'), vector.vectors.weights_root, `readBytes ${readBytes}`)
      assert.deepEqual([c.paramsTotal, c.paramsActivePerToken, c.tensors, c.expertsPerToken], [vector.vectors.params_total, vector.vectors.params_active_per_token, vector.vectors.tensors.length, 1])
    }
    const w = await commitWeights(file)
    assert.equal(Buffer.from(w.weightsRoot).toString('hex'), vector.vectors.weights_root)
    // One flipped byte inside a tensor changes the root; one in the padding after a tensor does not.
    const bytes = Buffer.from(vector.vectors.file_hex, 'hex')
    const flipped = Buffer.from(bytes)
    flipped[flipped.length - 1]! ^= 1
    writeFileSync(file, flipped)
    assert.notEqual(Buffer.from((await commitGguf(file, 64)).weightsRoot).toString('hex'), vector.vectors.weights_root)
  } finally {
    t.cleanup()
  }
})

function aip(...args: string[]) {
  return spawnSync(process.execPath, [AIP, 'model', ...args], { encoding: 'utf8', maxBuffer: 64 << 20 })
}

test('aip model export --gguf, then info and logits --backend llama on the file', async () => {
  const t = tempDir('aip-gguf-cli-')
  try {
    writeModel(t.dir, TINY_MIXTRAL, 7)
    const out = join(t.dir, 'tiny.gguf')
    const e = aip('export', '--gguf', '--model', t.dir, '--out', out)
    assert.equal(e.status, 0, e.stderr)
    assert.match(e.stdout, /22 tensors, F32 matrices/)

    const info = aip('info', '--model', out, '--json')
    assert.equal(info.status, 0, info.stderr)
    const i = JSON.parse(info.stdout)
    assert.deepEqual([i.format, i.architecture, i.tokenizer, i.config.experts, i.config.vocab, i.params_total], ['gguf', 'llama', 'gpt2', 8, 260, 75552])

    assert.equal(i.weights_root, Buffer.from((await commitGguf(out, 1 << 20)).weightsRoot).toString('hex'))

    const tokens = [256, 72, 105, 32, 116]
    const l = aip('logits', '--backend', 'llama', '--model', out, '--threads', '1', '--tokens', tokens.join(','))
    assert.equal(l.status, 0, l.stderr)
    const { logprobs } = JSON.parse(l.stdout) as { logprobs: number[][] }
    const m = loadModel(t.dir)
    const ts = await new TsBackend(m.config, m.weights).prefill(tokens, true)
    assert.equal(logprobs.length, tokens.length)
    logprobs.forEach((row, p) => {
      const r = ts[p]!
      const max = Math.max(...r)
      const lse = max + Math.log(r.reduce((a, v) => a + Math.exp(v - max), 0))
      row.forEach((v, k) => assert.ok(Math.abs(v - (r[k]! - lse)) <= 1e-3 * Math.max(1, Math.abs(v)), `row ${p}[${k}]`))
    })

  } finally {
    t.cleanup()
  }
})
