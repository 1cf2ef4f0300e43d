/**
 * The bundled model "aip-tiny-moe": an UNTRAINED 16-expert top-2 MoE + LASA model generated from a fixed seed,
 * bit-identical on every run, written on first use to kernels/models/generated/aip-tiny-moe/ (gitignored).
 * Tests, benchmarks and the demo use it; it is labelled `"aip_untrained": true` in its config.json.
 */
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { join } from 'node:path'
import { parseConfig, type Config } from './config.ts'
import { mulberry32 } from './random.ts'

export { mulberry32 } // kept here too: kernels/ort tests and bench/engine.ts import it from bundled.ts
import { encodeSafetensors } from './safetensors.ts'
import { allocateWeights, expectedTensors, slotView, type Weights } from './weights.ts'

/** Bumped whenever the generator's output changes; a stale generated copy is regenerated. */
export const BUNDLED_REVISION = 1
export const BUNDLED_SEED = 0x41495031 // "AIP1"
export const BUNDLED_NAME = 'aip-tiny-moe'

/** config.json of the bundled model (key order fixed, so the file is byte-identical). */
export const BUNDLED_CONFIG_JSON = {
  architectures: ['AipLasaMoeForCausalLM'],
  model_type: 'aip_lasa_moe',
  aip_untrained: true,
  aip_bundled_revision: BUNDLED_REVISION,
  aip_seed: BUNDLED_SEED,
  aip_tokenizer: 'bytes-v1',
  vocab_size: 272,
  hidden_size: 128,
  intermediate_size: 256,
  num_hidden_layers: 4,
  num_attention_heads: 4,
  num_key_value_heads: 2,
  head_dim: 32,
  num_local_experts: 16,
  num_experts_per_tok: 2,
  rms_norm_eps: 1e-5,
  rope_theta: 10000,
  tie_word_embeddings: false,
  hidden_act: 'silu',
  lasa_window: 64,
  lasa_global_tokens: 4,
  bos_token_id: 256,
  eos_token_id: 257,
  torch_dtype: 'float32',
}

/** Fills weights for `config` from `seed`: uniform(±√3/√fan_in) matrices, norms near 1, slopes in [-2, 1]. */
export function randomWeights(config: Config, seed: number): Weights {
  const w = allocateWeights(config)
  const rand = mulberry32(seed)
  for (const s of expectedTensors(config)) {
    const out = slotView(w, s)
    const fanIn = s.shape[s.shape.length - 1]!
    const field = s.field
    if (field === 'attnNorm' || field === 'ffnNorm' || field === 'norm') {
      for (let i = 0; i < out.length; i++) out[i] = 1 + 0.25 * (rand() - 0.5)
    } else if (field === 'slope') {
      for (let i = 0; i < out.length; i++) out[i] = -2 + 3 * rand()
    } else {
      // The router gets a larger scale so that expert choices are well separated.
      const a = (field === 'gate' ? 4 : 1) * Math.sqrt(3 / fanIn)
      for (let i = 0; i < out.length; i++) out[i] = a * (2 * rand() - 1)
    }
  }
  return w
}

/** The model directory bytes: config.json text and model.safetensors (all F32, tensors in expectedTensors order). */
export function modelFilesFor(configJson: Record<string, unknown>, weights: Weights): { config: string; safetensors: Uint8Array } {
  const config = parseConfig(configJson)
  const tensors = expectedTensors(config).map((s) => {
    const v = slotView(weights, s)
    return { name: s.name, dtype: 'F32', shape: s.shape, data: new Uint8Array(v.buffer, v.byteOffset, v.byteLength) }
  })
  return { config: JSON.stringify(configJson, null, 2) + '\n', safetensors: encodeSafetensors(tensors) }
}

/** Writes a model directory atomically: a temp dir in the same parent, then rename. Returns false if `dir` appeared meanwhile. */
export function writeModelDir(dir: string, files: { config: string; safetensors: Uint8Array }): boolean {
  const parent = join(dir, '..')
  mkdirSync(parent, { recursive: true })
  const tmp = mkdtempSync(join(parent, '.tmp-'))
  chmodSync(tmp, 0o755)
  writeFileSync(join(tmp, 'config.json'), files.config)
  writeFileSync(join(tmp, 'model.safetensors'), files.safetensors)
  try {
    renameSync(tmp, dir)
    return true
  } catch (e) {
    rmSync(tmp, { recursive: true, force: true })
    if ((e as NodeJS.ErrnoException).code === 'ENOTEMPTY' || (e as NodeJS.ErrnoException).code === 'EEXIST') return false
    throw e
  }
}

const GENERATED = fileURLToPath(new URL('./models/generated/', import.meta.url))

function current(dir: string): boolean {
  try {
    const c = JSON.parse(readFileSync(join(dir, 'config.json'), 'utf8')) as { aip_bundled_revision?: number }
    return c.aip_bundled_revision === BUNDLED_REVISION && existsSync(join(dir, 'model.safetensors'))
  } catch {
    return false
  }
}

/** Generates the bundled model if needed; returns its directory (absolute). */
export function ensureBundledModelSync(root = GENERATED): string {
  const dir = join(root, BUNDLED_NAME)
  if (current(dir)) return dir
  if (existsSync(dir)) {
    // A stale revision: move it aside atomically, then delete it.
    const stale = `${dir}.stale-${process.pid}-${Date.now()}`
    try {
      renameSync(dir, stale)
      rmSync(stale, { recursive: true, force: true })
    } catch {
      // Another process got there first.
    }
  }
  const config = parseConfig(BUNDLED_CONFIG_JSON)
  writeModelDir(dir, modelFilesFor(BUNDLED_CONFIG_JSON, randomWeights(config, BUNDLED_SEED)))
  return dir
}

/** Generates the bundled model if needed; resolves to its directory (absolute). */
export async function ensureBundledModel(): Promise<string> {
  return ensureBundledModelSync()
}
