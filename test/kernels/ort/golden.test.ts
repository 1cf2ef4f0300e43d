/**
 * The ORT backend against test/kernels/golden/bundled.json: logits from the independent numpy reference
 * (test/kernels/golden/reference.py: float64, brute-force masked T×T attention), by prefill and by decode steps.
 */
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import { ensureBundledModel } from '../../../kernels/bundled.ts'
import { loadModel } from '../../../kernels/loader.ts'
import { createOrtBackend } from '../../../kernels/ort/index.ts'

const golden = JSON.parse(readFileSync(new URL('../golden/bundled.json', import.meta.url), 'utf8')) as {
  tokens: number[]
  logits_rows: Record<string, number[]>
}

function check(rows: Float32Array[], what: string): void {
  for (const [p, want] of Object.entries(golden.logits_rows)) {
    const got = rows[Number(p)]!
    assert.equal(got.length, want.length)
    for (let i = 0; i < want.length; i++) {
      assert.ok(Math.abs(got[i]! - want[i]!) <= 1e-4 * Math.max(1, Math.abs(want[i]!)), `${what} row ${p}[${i}]: ${got[i]} vs ${want[i]}`)
    }
  }
}

test('ORT logits of the bundled model match the independent numpy reference, prefill and decode', async () => {
  const ort = await createOrtBackend(loadModel(await ensureBundledModel()))
  try {
    check(await ort.prefill(golden.tokens, true), 'prefill')
    ort.reset()
    const rows = await ort.prefill(golden.tokens.slice(0, 3), true)
    for (const t of golden.tokens.slice(3)) rows.push(await ort.step(t))
    check(rows, 'decode')
  } finally {
    await ort.dispose()
  }
})
