import { test } from 'node:test'
import assert from 'node:assert/strict'
import { readFileSync, writeFileSync, mkdirSync } from 'node:fs'
import { join } from 'node:path'
import { ModelError } from '../../kernels/errors.ts'
import { loadModel } from '../../kernels/loader.ts'
import { MAX_SAFETENSORS_HEADER_BYTES } from '../../kernels/constants.ts'
import { f16ToNumber } from '../../kernels/safetensors.ts'
import { tempDir, TINY_LASA, TINY_MIXTRAL, writeModel, type TensorBytes } from './helpers.ts'

function fails(dir: string, code: string, tensor: string | null) {
  assert.throws(
    () => loadModel(dir),
    (e: unknown) => {
      assert.ok(e instanceof ModelError, String(e))
      assert.equal(e.code, code, e.message)
      if (tensor !== null) {
        assert.equal(e.tensor, tensor)
        assert.ok(e.message.includes(tensor), e.message)
      }
      return true
    },
  )
}

/** Rewrites the JSON header of DIR/model.safetensors (data section kept). */
function patchHeader(dir: string, mutate: (h: Record<string, { dtype: string; shape: number[]; data_offsets: number[] }>) => void) {
  const file = join(dir, 'model.safetensors')
  const bytes = readFileSync(file)
  const n = Number(bytes.readBigUInt64LE(0))
  const header = JSON.parse(bytes.subarray(8, 8 + n).toString('utf8'))
  mutate(header)
  const json = Buffer.from(JSON.stringify(header))
  const len = Buffer.alloc(8)
  len.writeBigUInt64LE(BigInt(json.length))
  writeFileSync(file, Buffer.concat([len, json, bytes.subarray(8 + n)]))
}

function withModel(fn: (dir: string) => void, config: Record<string, unknown> = TINY_LASA, edit?: (t: TensorBytes[]) => TensorBytes[]) {
  const { dir, cleanup } = tempDir()
  try {
    writeModel(dir, config, 7, edit)
    fn(dir)
  } finally {
    cleanup()
  }
}

test('a well-formed LASA model and a plain Mixtral model load with exact weights', () => {
  const { dir, cleanup } = tempDir()
  try {
    const { weights } = writeModel(dir, TINY_LASA)
    const m = loadModel(dir)
    assert.deepEqual(m.weights.layers[1]!.w2, weights.layers[1]!.w2)
    assert.deepEqual(m.weights.layers[0]!.slope, weights.layers[0]!.slope)
    assert.deepEqual(m.weights.lmHead, weights.lmHead)
  } finally {
    cleanup()
  }
  withModel((dir) => {
    const m = loadModel(dir)
    assert.equal(m.config.lasa, false)
    assert.equal(m.weights.layers[0]!.slope, null)
    assert.equal(m.weights.lmHead, m.weights.embed, 'tied: lm_head is the embedding')
  }, TINY_MIXTRAL)
})

test('missing tensor is named', () => {
  withModel((dir) => fails(dir, 'missing_tensor', 'model.layers.1.self_attn.lasa_slope'), TINY_LASA, (t) => t.filter((x) => x.name !== 'model.layers.1.self_attn.lasa_slope'))
  withModel(
    (dir) => {
      writeFileSync(join(dir, 'config.json'), JSON.stringify({ ...TINY_MIXTRAL, tie_word_embeddings: false }))
      fails(dir, 'missing_tensor', 'lm_head.weight')
    },
    TINY_MIXTRAL,
  )
})

test('wrong shape is named', () => {
  const name = 'model.layers.0.block_sparse_moe.gate.weight'
  withModel((dir) => fails(dir, 'wrong_shape', name), TINY_LASA, (t) => t.map((x) => (x.name === name ? { ...x, shape: [x.shape[1]!, x.shape[0]!] } : x)))
})

test('truncated file is named (the tensor whose data is cut)', () => {
  withModel((dir) => {
    const file = join(dir, 'model.safetensors')
    const bytes = readFileSync(file)
    writeFileSync(file, bytes.subarray(0, bytes.length - 10))
    fails(dir, 'truncated', 'lm_head.weight')
  })
})

test('offsets past the end are named', () => {
  withModel((dir) => {
    patchHeader(dir, (h) => {
      h['lm_head.weight']!.data_offsets[1]! += 4
    })
    fails(dir, 'truncated', 'lm_head.weight')
  })
  withModel((dir) => {
    patchHeader(dir, (h) => {
      h['model.norm.weight']!.data_offsets = [1e15, 1e15 + 128]
    })
    fails(dir, 'truncated', 'model.norm.weight')
  })
})

test('inconsistent offsets (size, overlap) are named', () => {
  withModel((dir) => {
    patchHeader(dir, (h) => {
      h['model.norm.weight']!.shape = [31]
    })
    fails(dir, 'bad_offsets', 'model.norm.weight')
  })
  withModel((dir) => {
    patchHeader(dir, (h) => {
      h['model.norm.weight']!.data_offsets = h['model.embed_tokens.weight']!.data_offsets.slice()
      h['model.norm.weight']!.shape = h['model.embed_tokens.weight']!.shape.slice()
    })
    fails(dir, 'bad_offsets', null)
  })
})

test('unknown dtype is named; a known non-float dtype is refused by the loader, named', () => {
  const name = 'model.layers.1.self_attn.o_proj.weight'
  withModel((dir) => fails(dir, 'unknown_dtype', name), TINY_LASA, (t) => t.map((x) => (x.name === name ? { ...x, dtype: 'Q4_K' } : x)))
  withModel((dir) => fails(dir, 'unknown_dtype', name), TINY_LASA, (t) => t.map((x) => (x.name === name ? { ...x, dtype: 'I32' } : x)))
})

test('unexpected tensor is named', () => {
  withModel((dir) => fails(dir, 'unexpected_tensor', 'model.rotary_emb.inv_freq'), TINY_LASA, (t) => [...t, { name: 'model.rotary_emb.inv_freq', dtype: 'F32', shape: [1], data: new Uint8Array(4) }])
})

test('oversized, short and non-JSON headers are refused before allocation', () => {
  withModel((dir) => {
    const file = join(dir, 'model.safetensors')
    const bytes = readFileSync(file)
    bytes.writeBigUInt64LE(BigInt(MAX_SAFETENSORS_HEADER_BYTES + 1), 0)
    writeFileSync(file, bytes)
    fails(dir, 'bad_header', null)
    bytes.writeBigUInt64LE(2n ** 63n, 0)
    writeFileSync(file, bytes)
    fails(dir, 'bad_header', null)
    bytes.writeBigUInt64LE(BigInt(bytes.length), 0)
    writeFileSync(file, bytes)
    fails(dir, 'truncated', null)
    writeFileSync(file, bytes.subarray(0, 5))
    fails(dir, 'bad_header', null)
    const junk = Buffer.from('not json at all!')
    const len = Buffer.alloc(8)
    len.writeBigUInt64LE(BigInt(junk.length))
    writeFileSync(file, Buffer.concat([len, junk]))
    fails(dir, 'bad_header', null)
  })
})

test('bad config.json is refused', () => {
  withModel((dir) => {
    writeFileSync(join(dir, 'config.json'), '{"vocab_size": ')
    fails(dir, 'bad_config', null)
    writeFileSync(join(dir, 'config.json'), JSON.stringify({ ...TINY_LASA, sliding_window: 4096 }))
    fails(dir, 'unsupported_config', null)
  })
})

test('f16 decoding of known bit patterns', () => {
  const cases: [number, number][] = [[0x3c00, 1], [0xc000, -2], [0x7bff, 65504], [0x0001, 2 ** -24], [0x0400, 2 ** -14], [0x3555, 0.333251953125], [0x7c00, Infinity], [0xfc00, -Infinity]]
  for (const [bits, v] of cases) assert.equal(f16ToNumber(bits), v, bits.toString(16))
  assert.ok(Object.is(f16ToNumber(0x8000), -0))
  assert.ok(Number.isNaN(f16ToNumber(0x7e00)))
})

/** f32 → f16 bits, round to nearest even (test-side encoder). */
function toF16(x: number): number {
  const u = new Uint32Array(new Float32Array([x]).buffer)[0]!
  const sign = (u >>> 16) & 0x8000
  const e = ((u >>> 23) & 0xff) - 127 + 15
  let mant = u & 0x7fffff
  if (e >= 31) return sign | 0x7c00
  if (e <= 0) {
    if (e < -10) return sign
    mant |= 0x800000
    const shift = 14 - e
    let half = mant >>> shift
    const rem = mant & ((1 << shift) - 1)
    const mid = 1 << (shift - 1)
    if (rem > mid || (rem === mid && half & 1)) half++
    return sign | half
  }
  let half = (e << 10) | (mant >>> 13)
  const rem = mant & 0x1fff
  if (rem > 0x1000 || (rem === 0x1000 && half & 1)) half++
  return sign | half
}

function convert(t: TensorBytes[], dtype: 'F16' | 'BF16'): TensorBytes[] {
  return t.map((x) => {
    const f = new Float32Array(x.data.buffer.slice(x.data.byteOffset, x.data.byteOffset + x.data.byteLength))
    const out = new Uint16Array(f.length)
    const bits = new Uint32Array(f.buffer)
    for (let i = 0; i < f.length; i++) out[i] = dtype === 'BF16' ? bits[i]! >>> 16 : toF16(f[i]!)
    return { ...x, dtype, data: new Uint8Array(out.buffer) }
  })
}

test('F16 and BF16 files load as f32', () => {
  const { dir, cleanup } = tempDir()
  try {
    const { weights } = writeModel(dir, TINY_LASA, 7, (t) => convert(t, 'BF16'))
    const m = loadModel(dir)
    // BF16 truncation keeps the top 16 bits exactly.
    const want = new Float32Array(weights.layers[1]!.w1)
    new Uint32Array(want.buffer).forEach((b, i, a) => (a[i] = b & 0xffff0000))
    assert.deepEqual(m.weights.layers[1]!.w1, want)

    const w16 = writeModel(dir, TINY_LASA, 7, (t) => convert(t, 'F16')).weights
    const m16 = loadModel(dir)
    const got = m16.weights.layers[0]!.wq
    const orig = w16.layers[0]!.wq
    for (let i = 0; i < got.length; i++) assert.ok(Math.abs(got[i]! - orig[i]!) <= Math.abs(orig[i]!) * 2 ** -11 + 2 ** -25, `wq[${i}] ${got[i]} vs ${orig[i]}`)
    assert.ok(got.some((v, i) => v !== orig[i]), 'F16 rounding visible')
  } finally {
    cleanup()
  }
})

test('sharded directory (model.safetensors.index.json) loads; duplicates across shards are named', async () => {
  const { encodeSafetensors } = await import('../../kernels/safetensors.ts')
  const { dir, cleanup } = tempDir()
  try {
    let all: TensorBytes[] = []
    const { weights } = writeModel(dir, TINY_LASA, 7, (t) => (all = t))
    const { rmSync } = await import('node:fs')
    rmSync(join(dir, 'model.safetensors'))
    const half = Math.floor(all.length / 2)
    writeFileSync(join(dir, 'model-00001-of-00002.safetensors'), encodeSafetensors(all.slice(0, half)))
    writeFileSync(join(dir, 'model-00002-of-00002.safetensors'), encodeSafetensors(all.slice(half)))
    const weightMap = Object.fromEntries(all.map((t, i) => [t.name, i < half ? 'model-00001-of-00002.safetensors' : 'model-00002-of-00002.safetensors']))
    writeFileSync(join(dir, 'model.safetensors.index.json'), JSON.stringify({ metadata: {}, weight_map: weightMap }))
    assert.deepEqual(loadModel(dir).weights.layers[1]!.w3, weights.layers[1]!.w3)
    writeFileSync(join(dir, 'model-00002-of-00002.safetensors'), encodeSafetensors([all[0]!, ...all.slice(half)]))
    fails(dir, 'duplicate_tensor', all[0]!.name)
    writeFileSync(join(dir, 'model.safetensors.index.json'), JSON.stringify({ weight_map: { x: '../etc/passwd' } }))
    fails(dir, 'io', null)
    mkdirSync(join(dir, 'empty'))
    fails(join(dir, 'empty'), 'io', null)
  } finally {
    cleanup()
  }
})

test('a hostile config implying billions of tensors is refused at the first missing tensor, without allocating', () => {
  withModel((dir) => {
    writeFileSync(join(dir, 'config.json'), JSON.stringify({ ...TINY_LASA, num_hidden_layers: 4096, num_local_experts: 1 << 24, lasa_window: 8 }))
    fails(dir, 'wrong_shape', 'model.layers.0.block_sparse_moe.gate.weight')
    writeFileSync(join(dir, 'config.json'), JSON.stringify({ ...TINY_LASA, num_hidden_layers: 4096, lasa_window: 8 }))
    fails(dir, 'missing_tensor', 'model.layers.2.input_layernorm.weight')
    writeFileSync(join(dir, 'config.json'), JSON.stringify({ ...TINY_LASA, num_hidden_layers: 1 << 24, lasa_window: 8 }))
    fails(dir, 'bad_config', null)
  })
})
