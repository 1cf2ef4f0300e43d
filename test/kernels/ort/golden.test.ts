/**
 * The ORT backend against the golden logits of the independent numpy reference (test/kernels/golden/reference.py:
 * float64, brute-force masked T×T attention): the bundled model and the tiny LASA / plain Mixtral test models,
 * by prefill and by decode steps.
 */
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import { ensureBundledModel } from '../../../kernels/bundled.ts'
import { loadModel } from '../../../kernels/loader.ts'
import { createOrtBackend } from '../../../kernels/ort/index.ts'
import { tempDir, TINY_LASA, TINY_MIXTRAL, writeModel } from '../helpers.ts'

interface Golden {
  tokens: number[]
  logits_rows: Record<string, number[]>
}
const goldenOf = (name: string) => JSON.parse(readFileSync(new URL(`../golden/${name}.json`, import.meta.url), 'utf8')) as Golden

function check(g: Golden, rows: Float32Array[], what: string): void {
  for (const [p, want] of Object.entries(g.logits_rows)) {
    const got = rows[Number(p)]!
    assert.equal(got.length, want.length)
    for (let i = 0; i < want.length; i++) {
      assert.ok(Math.abs(got[i]! - want[i]!) <= 1e-4 * Math.max(1, Math.abs(want[i]!)), `${what} row ${p}[${i}]: ${got[i]} vs ${want[i]}`)
    }
  }
}

async function prefillAndDecode(dir: string, g: Golden, what: string): Promise<void> {
  const ort = await createOrtBackend(loadModel(dir))
  try {
    check(g, await ort.prefill(g.tokens, true), `${what} prefill`)
    ort.reset()
    const rows = await ort.prefill(g.tokens.slice(0, 3), true)
    for (const t of g.tokens.slice(3)) rows.push(await ort.step(t))
    check(g, rows, `${what} decode`)
  } finally {
    await ort.dispose()
  }
}

test('ORT logits of the bundled model match the independent numpy reference, prefill and decode', async () => {
  await prefillAndDecode(await ensureBundledModel(), goldenOf('bundled'), 'bundled')
})

for (const [name, json] of [['tiny-lasa', TINY_LASA], ['tiny-mixtral', TINY_MIXTRAL]] as const) {
  test(`ORT logits of ${name} match the numpy reference, prefill and decode`, async () => {
    const { dir, cleanup } = tempDir()
    try {
      writeModel(dir, json, 7)
      await prefillAndDecode(dir, goldenOf(name), name)
    } finally {
      cleanup()
    }
  })
}
