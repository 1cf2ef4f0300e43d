/**
 * The trained bundled model: kernels/models/bundled-trained/ (committed, F16, with the ledgers of the five stages
 * that produced it, scripts/train-bundled.ts). The federation demo runs it (scenario models: trained); the untrained
 * generator (kernels/bundled.ts) stays the default of the tests and benchmarks that rely on its golden values.
 */
import { existsSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { BUNDLED_CONFIG_JSON, loadModel } from '../../kernels/index.ts'
import type { Model } from '../../kernels/index.ts'

export const TRAINED_NAME = 'aip-tiny-moe-trained'
export const TRAINED_DIR = fileURLToPath(new URL('../../kernels/models/bundled-trained/', import.meta.url))

/** config.json of the trained model: the bundled architecture, not marked untrained. */
export const TRAINED_CONFIG_JSON: Record<string, unknown> = {
  ...BUNDLED_CONFIG_JSON,
  aip_untrained: false,
  aip_trained_by: 'scripts/train-bundled.ts (ledger.jsonl beside this file)',
  torch_dtype: 'float16',
}

/** The trained model's directory (absolute); throws when it is missing. */
export function trainedBundledModelDir(): string {
  if (!existsSync(join(TRAINED_DIR, 'model.safetensors'))) throw new Error(`the trained bundled model is missing: ${TRAINED_DIR}`)
  return TRAINED_DIR
}

/** Loads the trained bundled model. */
export function loadTrainedBundledModel(): Model {
  return loadModel(trainedBundledModelDir())
}
