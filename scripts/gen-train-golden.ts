/**
 * Regenerates test/kernels/golden/train-grads.json: writes the tiny seeded model TRAIN_GOLDEN_CONFIG (seed 11) and
 * the batch of test/kernels/golden/train-batch.json to a temporary directory, runs the independent PyTorch reference
 * (Debian's /usr/bin/python3 with python3-torch) and stores its gradients; then the same for the LoRA adapters of
 * goldenAdapters (specs/lasa.md §12.5) → test/kernels/golden/train-lora-grads.json.
 *   node --import tsx scripts/gen-train-golden.ts
 */
import { execFileSync } from 'node:child_process'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { encodeSafetensors, parseConfig } from '../kernels/index.ts'
import { goldenAdapters, TRAIN_GOLDEN_CONFIG, TRAIN_GOLDEN_LORA, TRAIN_GOLDEN_SEED } from '../test/kernels/train/golden-model.ts'
import { writeModel } from '../test/kernels/helpers.ts'

const dir = mkdtempSync(join(tmpdir(), 'aip-train-golden-'))
try {
  writeModel(dir, TRAIN_GOLDEN_CONFIG, TRAIN_GOLDEN_SEED)
  const out = execFileSync('/usr/bin/python3', ['test/kernels/golden/train_reference.py', 'grads', dir, 'test/kernels/golden/train-batch.json'], { maxBuffer: 64 << 20 })
  writeFileSync('test/kernels/golden/train-grads.json', out)
  const r = TRAIN_GOLDEN_LORA.rank
  const f64 = (a: Float64Array) => new Uint8Array(Float64Array.from(a).buffer)
  writeFileSync(join(dir, 'adapter.safetensors'), encodeSafetensors(goldenAdapters(parseConfig(TRAIN_GOLDEN_CONFIG)).flatMap((a) => [
    { name: `lora.${a.name}.A`, dtype: 'F64', shape: [r, a.in], data: f64(a.A) }, { name: `lora.${a.name}.B`, dtype: 'F64', shape: [a.out, r], data: f64(a.B) },
  ])))
  const lora = execFileSync('/usr/bin/python3', ['test/kernels/golden/train_reference.py', 'lora-grads', dir, 'test/kernels/golden/train-batch.json', join(dir, 'adapter.safetensors'), String(TRAIN_GOLDEN_LORA.alpha)], { maxBuffer: 64 << 20 })
  writeFileSync('test/kernels/golden/train-lora-grads.json', lora)
} finally {
  rmSync(dir, { recursive: true, force: true })
}
