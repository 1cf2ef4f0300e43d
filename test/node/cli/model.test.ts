import { test } from 'node:test'
import assert from 'node:assert/strict'
import { spawnSync } from 'node:child_process'
import { readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { ensureBundledModel } from '../../../kernels/bundled.ts'
import { tempDir, TINY_LASA, writeModel } from '../../kernels/helpers.ts'

const AIP = new URL('../../../bin/aip.js', import.meta.url).pathname
const golden = JSON.parse(readFileSync(new URL('../../kernels/golden/bundled.json', import.meta.url), 'utf8')) as { weights_root: string; params_total: number; params_active_per_token: number; logits_rows: Record<string, number[]> }

function aip(...args: string[]) {
  return spawnSync(process.execPath, [AIP, 'model', ...args], { encoding: 'utf8', maxBuffer: 64 << 20 })
}

test('aip model info --json: absolute dir, untrained label, architecture', async () => {
  const r = aip('info', '--json')
  assert.equal(r.status, 0, r.stderr)
  const info = JSON.parse(r.stdout)
  assert.equal(info.dir, await ensureBundledModel())
  assert.equal(info.untrained, true)
  assert.equal(info.config.experts, 16)
  assert.deepEqual(info.config.window, [64, 64, 64, 64])
  assert.equal(info.params_total, golden.params_total)
  const text = aip('info')
  assert.match(text.stdout, /UNTRAINED/)
})

test('aip model logits: one full-precision row per token, tokens used as given; ts and ort agree', () => {
  const r = aip('logits', '--tokens', '256,72,105')
  assert.equal(r.status, 0, r.stderr)
  const { logits } = JSON.parse(r.stdout) as { logits: number[][] }
  assert.equal(logits.length, 3)
  assert.equal(logits[0]!.length, 272)
  const want = golden.logits_rows['0']!
  logits[0]!.forEach((v, i) => assert.ok(Math.abs(v - want[i]!) <= 1e-4 * Math.max(1, Math.abs(want[i]!))))
  assert.ok(logits.flat().every((v) => Math.fround(v) === v), 'exact f32 values')

  const o = aip('logits', '--backend', 'ort', '--tokens', '256,72,105')
  assert.equal(o.status, 0, o.stderr)
  const ort = (JSON.parse(o.stdout) as { logits: number[][] }).logits
  ort.forEach((row, p) => row.forEach((v, i) => assert.ok(Math.abs(v - logits[p]![i]!) <= 1e-4 * Math.max(1, Math.abs(v)), `ort row ${p}[${i}]`)))
})

test('aip model commit --json equals the independent weights root', () => {
  const r = aip('commit', '--json')
  assert.equal(r.status, 0, r.stderr)
  assert.deepEqual(JSON.parse(r.stdout), { weights_root: golden.weights_root, params_total: golden.params_total, params_active_per_token: golden.params_active_per_token, tensors: 227 })
  const plain = aip('commit')
  assert.equal(plain.stdout.split('\n')[0], golden.weights_root)
})

test('aip model generate streams text without control characters', () => {
  const r = aip('generate', '--prompt', 'Sovereign', '--max-tokens', '40', '--temperature', '1', '--seed', '3')
  assert.equal(r.status, 0, r.stderr)
  assert.ok(r.stdout.endsWith('\n'))
  // eslint-disable-next-line no-control-regex
  assert.doesNotMatch(r.stdout.slice(0, -1), /[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/)
})

test('aip model: clear errors for bad flags, tokens and model files', () => {
  const { dir, cleanup } = tempDir()
  try {
    const cases: [string[], number, RegExp][] = [
      [['logits'], 2, /--tokens/],
      [['logits', '--tokens', '1,x'], 2, /'x' is not a token id/],
      [['logits', '--tokens', '1,999'], 1, /token 999 is not an id/],
      [['logits', '--backend', 'gpu', '--tokens', '1'], 2, /--backend/],
      [['frobnicate'], 2, /unknown subcommand/],
      [['info', '--bogus'], 2, /bogus/],
      [['generate'], 2, /--prompt/],
      [['info', '--model', dir], 1, /\[io\]/],
    ]
    for (const [args, code, pattern] of cases) {
      const r = aip(...args)
      assert.equal(r.status, code, `${args.join(' ')}: ${r.stderr}`)
      assert.match(r.stderr, pattern)
      assert.doesNotMatch(r.stderr, /at .*\.ts:\d+/, 'no stack trace')
    }
    writeModel(dir, TINY_LASA, 7, (t) => t.filter((x) => x.name !== 'model.layers.0.self_attn.q_proj.weight'))
    const r = aip('logits', '--model', dir, '--tokens', '1')
    assert.equal(r.status, 1)
    assert.match(r.stderr, /\[missing_tensor\] tensor 'model.layers.0.self_attn.q_proj.weight'/)
    writeFileSync(join(dir, 'config.json'), JSON.stringify({ ...TINY_LASA, rope_scaling: { type: 'yarn' } }))
    assert.match(aip('info', '--model', dir).stderr, /rope_scaling is not supported/)
  } finally {
    cleanup()
  }
})
