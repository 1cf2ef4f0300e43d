/**
 * The bundled model against test/kernels/golden/bundled.json, produced once by the independent numpy reference
 * test/kernels/golden/reference.py (float64, brute-force masked T×T attention, its own safetensors and CBOR code).
 */
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { createHash } from 'node:crypto'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { ensureBundledModel, ensureBundledModelSync } from '../../kernels/bundled.ts'
import { loadModel } from '../../kernels/loader.ts'
import { TsBackend } from '../../kernels/ts-backend.ts'
import { paramCounts } from '../../kernels/weights.ts'
import { tempDir, TINY_LASA, TINY_MIXTRAL, writeModel } from './helpers.ts'

interface Golden {
  config_sha256: string
  safetensors_sha256: string
  tokens: number[]
  logits_rows: Record<string, number[]>
  weights_root: string
  params_total: number
  params_active_per_token: number
}
const golden = JSON.parse(readFileSync(new URL('./golden/bundled.json', import.meta.url), 'utf8')) as Golden

const sha256 = (file: string) => createHash('sha256').update(readFileSync(file)).digest('hex')

test('the bundled model is generated bit-identically (fresh directory, same bytes as the golden)', () => {
  const { dir, cleanup } = tempDir()
  try {
    const fresh = ensureBundledModelSync(dir)
    assert.equal(sha256(join(fresh, 'config.json')), golden.config_sha256)
    assert.equal(sha256(join(fresh, 'model.safetensors')), golden.safetensors_sha256)
    assert.equal(ensureBundledModelSync(dir), fresh, 'second call reuses it')
    assert.match(readFileSync(join(fresh, 'config.json'), 'utf8'), /"aip_untrained": true/)
  } finally {
    cleanup()
  }
})

test('TS logits of the bundled model match the independent numpy reference (positions before and past G + W)', async () => {
  const m = loadModel(await ensureBundledModel())
  const rows = new TsBackend(m.config, m.weights).forward(golden.tokens, true)
  const positions = Object.keys(golden.logits_rows)
  assert.ok(positions.includes('0') && positions.some((p) => Number(p) >= 68))
  for (const p of positions) {
    const want = golden.logits_rows[p]!
    const got = rows[Number(p)]!
    assert.equal(got.length, want.length)
    for (let i = 0; i < want.length; i++) assert.ok(Math.abs(got[i]! - want[i]!) <= 1e-4 * Math.max(1, Math.abs(want[i]!)), `row ${p}[${i}]: ${got[i]} vs ${want[i]}`)
  }
  const counts = paramCounts(m.config)
  assert.deepEqual([counts.total, counts.active], [golden.params_total, golden.params_active_per_token])
})

for (const [name, json] of [['tiny-lasa', TINY_LASA], ['tiny-mixtral', TINY_MIXTRAL]] as const) {
  test(`TS logits of ${name} (seed 7, test/kernels/helpers.ts) match the numpy reference`, () => {
    const g = JSON.parse(readFileSync(new URL(`./golden/${name}.json`, import.meta.url), 'utf8')) as Golden
    const { dir, cleanup } = tempDir()
    try {
      writeModel(dir, json, 7)
      assert.equal(sha256(join(dir, 'model.safetensors')), g.safetensors_sha256, 'same weights as when the golden was made')
      const m = loadModel(dir)
      const rows = new TsBackend(m.config, m.weights).forward(g.tokens, true)
      for (const [p, want] of Object.entries(g.logits_rows)) {
        want.forEach((v, i) => assert.ok(Math.abs(rows[Number(p)]![i]! - v) <= 1e-4 * Math.max(1, Math.abs(v)), `row ${p}[${i}]`))
      }
    } finally {
      cleanup()
    }
  })
}
