import { test } from 'node:test'
import assert from 'node:assert/strict'
import { readFileSync, rmSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { ensureBundledModel } from '../../../kernels/bundled.ts'
import { ModelError } from '../../../kernels/errors.ts'
import { encodeSafetensors } from '../../../kernels/safetensors.ts'
import { commitWeights, paramCountsFromTensors } from '../../../node/model/weights-root.ts'
import { tempDir, TINY_LASA, writeModel, type TensorBytes } from '../../kernels/helpers.ts'

const golden = JSON.parse(readFileSync(new URL('../../kernels/golden/bundled.json', import.meta.url), 'utf8')) as { weights_root: string; params_total: number; params_active_per_token: number }
const hex = (b: Uint8Array) => Buffer.from(b).toString('hex')

test('weights root of the bundled model equals the independent Python computation', async () => {
  const dir = await ensureBundledModel()
  const c = await commitWeights(dir)
  assert.equal(hex(c.weightsRoot), golden.weights_root)
  assert.equal(c.paramsTotal, golden.params_total)
  assert.equal(c.paramsActivePerToken, golden.params_active_per_token)
  assert.equal(c.topKFromConfig, true)
  // Same root from the file path, and with reads smaller than one tensor (streaming across read boundaries).
  const small = await commitWeights(join(dir, 'model.safetensors'), { readBytes: 1000 })
  assert.equal(hex(small.weightsRoot), golden.weights_root)
})

test('a sharded model without config.json has the same root as one file; shard order does not matter', async () => {
  const { dir, cleanup } = tempDir()
  try {
    let all: TensorBytes[] = []
    writeModel(dir, TINY_LASA, 7, (t) => (all = t))
    const one = await commitWeights(join(dir, 'model.safetensors'))
    rmSync(join(dir, 'model.safetensors'))
    rmSync(join(dir, 'config.json'))
    // Shards hold interleaved names, so the name order crosses files.
    const a = all.filter((_, i) => i % 2 === 0)
    const b = all.filter((_, i) => i % 2 === 1).reverse()
    writeFileSync(join(dir, 'b.safetensors'), encodeSafetensors(a))
    writeFileSync(join(dir, 'a.safetensors'), encodeSafetensors(b))
    const weightMap = Object.fromEntries([...a.map((t) => [t.name, 'b.safetensors']), ...b.map((t) => [t.name, 'a.safetensors'])])
    writeFileSync(join(dir, 'model.safetensors.index.json'), JSON.stringify({ weight_map: weightMap }))
    const sharded = await commitWeights(dir)
    assert.equal(hex(sharded.weightsRoot), hex(one.weightsRoot))
    assert.equal(sharded.paramsTotal, one.paramsTotal)
    assert.equal(sharded.topKFromConfig, false)
    assert.equal(sharded.expertsPerToken, 2)

    // Changing one byte of one tensor changes the root.
    const bytes = readFileSync(join(dir, 'a.safetensors'))
    bytes[bytes.length - 1]! ^= 1
    writeFileSync(join(dir, 'a.safetensors'), bytes)
    assert.notEqual(hex((await commitWeights(dir)).weightsRoot), hex(one.weightsRoot))

    // A tensor in two shards is an error naming it.
    writeFileSync(join(dir, 'a.safetensors'), encodeSafetensors([...b, a[0]!]))
    await assert.rejects(commitWeights(dir), (e: unknown) => e instanceof ModelError && e.code === 'duplicate_tensor' && e.message.includes(a[0]!.name))
  } finally {
    cleanup()
  }
})

test('any dtype and any architecture commit; truncated files are refused naming the tensor', async () => {
  const { dir, cleanup } = tempDir()
  try {
    const file = join(dir, 'dense.safetensors')
    const t = (name: string, dtype: string, shape: number[], n: number) => ({ name, dtype, shape, data: new Uint8Array(n).fill(name.length) })
    writeFileSync(file, encodeSafetensors([t('z.weight', 'I8', [3, 2], 6), t('a.weight', 'BF16', [4], 8), t('ß', 'F64', [1], 8)]))
    const c = await commitWeights(file)
    assert.equal(c.paramsTotal, 11)
    assert.equal(c.paramsActivePerToken, 11)
    assert.equal(c.expertsPerToken, null)
    const bytes = readFileSync(file)
    writeFileSync(file, bytes.subarray(0, bytes.length - 1))
    await assert.rejects(commitWeights(file), (e: unknown) => e instanceof ModelError && e.code === 'truncated' && e.message.includes("'ß'"))
  } finally {
    cleanup()
  }
})

test('active parameters: total minus (experts − topK) × per-expert parameters in every MoE block', () => {
  const tensors = [
    { name: 'embed', shape: [10, 4] },
    ...[0, 1, 2, 3].flatMap((e) => [
      { name: `l.0.mlp.experts.${e}.w1.weight`, shape: [6, 4] },
      { name: `l.0.mlp.experts.${e}.w2.weight`, shape: [4, 6] },
    ]),
  ]
  assert.deepEqual(paramCountsFromTensors(tensors, 2), { total: 40 + 4 * 48, active: 40 + 2 * 48, moe: true })
  assert.deepEqual(paramCountsFromTensors(tensors, 4), { total: 232, active: 232, moe: true })
})

test('commit streams: hashing a 256 MiB tensor keeps memory far below the file size', async () => {
  const { openSync, closeSync, writeSync, ftruncateSync } = await import('node:fs')
  const { createHash } = await import('node:crypto')
  const { merkleRoot, weightsLeaf } = await import('../../../protocol/index.ts')
  const { dir, cleanup } = tempDir()
  try {
    const size = 256 << 20
    // A sparse file: the header, then `size` zero bytes that take no disk.
    const json = Buffer.from(JSON.stringify({ big: { dtype: 'U8', shape: [size], data_offsets: [0, size] } }))
    const len = Buffer.alloc(8)
    len.writeBigUInt64LE(BigInt(json.length))
    const file = join(dir, 'big.safetensors')
    const fd = openSync(file, 'w')
    writeSync(fd, Buffer.concat([len, json]))
    ftruncateSync(fd, 8 + json.length + size) // sparse: no disk used
    closeSync(fd)
    let peak = 0
    const base = process.memoryUsage().rss
    const timer = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss - base)), 5)
    const c = await commitWeights(file)
    clearInterval(timer)
    peak = Math.max(peak, process.memoryUsage().rss - base)
    assert.ok(peak < 64 << 20, `rss grew by ${peak} bytes while hashing ${size}`)
    const digest = createHash('sha256').update(new Uint8Array(size)).digest()
    assert.equal(hex(c.weightsRoot), hex(merkleRoot([weightsLeaf('big', 'U8', [size], new Uint8Array(digest))])))
  } finally {
    cleanup()
  }
})
