/** Tiny seeded models written to temporary directories, for the kernels and node/model tests. */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { randomWeights } from '../../kernels/bundled.ts'
import { parseConfig, type Config } from '../../kernels/config.ts'
import { encodeSafetensors } from '../../kernels/safetensors.ts'
import { expectedTensors, slotView, type Weights } from '../../kernels/weights.ts'

/** A small LASA config: W = 8, G = 2, so 40 tokens wrap the ring several times. */
export const TINY_LASA = {
  model_type: 'aip_lasa_moe',
  vocab_size: 272,
  hidden_size: 32,
  intermediate_size: 48,
  num_hidden_layers: 2,
  num_attention_heads: 4,
  num_key_value_heads: 2,
  head_dim: 8,
  num_local_experts: 6,
  num_experts_per_tok: 2,
  rms_norm_eps: 1e-5,
  rope_theta: 10000,
  tie_word_embeddings: false,
  lasa_window: [8, 5],
  lasa_global_tokens: 2,
}

/** A plain Mixtral config (no LASA keys, 8 experts, sliding_window null, tied embeddings). */
export const TINY_MIXTRAL = {
  model_type: 'mixtral',
  architectures: ['MixtralForCausalLM'],
  vocab_size: 260,
  hidden_size: 32,
  intermediate_size: 40,
  num_hidden_layers: 2,
  num_attention_heads: 4,
  num_key_value_heads: 1,
  num_local_experts: 8,
  num_experts_per_tok: 2,
  rms_norm_eps: 1e-5,
  rope_theta: 1e6,
  sliding_window: null,
  tie_word_embeddings: true,
  hidden_act: 'silu',
}

export interface TensorBytes {
  name: string
  dtype: string
  shape: number[]
  data: Uint8Array
}

/** The tensors of `weights` as F32 bytes, in expectedTensors order. */
export function tensorsOf(config: Config, weights: Weights): TensorBytes[] {
  return expectedTensors(config).map((s) => {
    const v = slotView(weights, s).slice()
    return { name: s.name, dtype: 'F32', shape: s.shape, data: new Uint8Array(v.buffer) }
  })
}

export function tempDir(prefix = 'aip-kernels-'): { dir: string; cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), prefix))
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) }
}

/** Writes config.json + model.safetensors (tensors possibly edited by `edit`); returns the config and weights. */
export function writeModel(
  dir: string,
  configJson: Record<string, unknown>,
  seed = 7,
  edit: (tensors: TensorBytes[]) => TensorBytes[] = (t) => t,
): { config: Config; weights: Weights } {
  const config = parseConfig(configJson)
  const weights = randomWeights(config, seed)
  writeFileSync(join(dir, 'config.json'), JSON.stringify(configJson))
  writeFileSync(join(dir, 'model.safetensors'), encodeSafetensors(edit(tensorsOf(config, weights))))
  return { config, weights }
}
