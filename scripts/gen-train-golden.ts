/**
 * Regenerates test/kernels/golden/train-grads.json: writes the tiny seeded model TRAIN_GOLDEN_CONFIG (seed 11) and
 * the batch of test/kernels/golden/train-batch.json to a temporary directory, runs the independent PyTorch reference
 * (Debian's /usr/bin/python3 with python3-torch) and stores its gradients.
 *   node --import tsx scripts/gen-train-golden.ts
 */
import { execFileSync } from 'node:child_process'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { TRAIN_GOLDEN_CONFIG, TRAIN_GOLDEN_SEED } from '../test/kernels/train/golden-model.ts'
import { writeModel } from '../test/kernels/helpers.ts'

const dir = mkdtempSync(join(tmpdir(), 'aip-train-golden-'))
try {
  writeModel(dir, TRAIN_GOLDEN_CONFIG, TRAIN_GOLDEN_SEED)
  const out = execFileSync('/usr/bin/python3', ['test/kernels/golden/train_reference.py', 'grads', dir, 'test/kernels/golden/train-batch.json'], { maxBuffer: 64 << 20 })
  writeFileSync('test/kernels/golden/train-grads.json', out)
} finally {
  rmSync(dir, { recursive: true, force: true })
}
