import type { Config } from '../../../kernels/config.ts'
import { mulberry32 } from '../../../kernels/random.ts'
import { loraInit, type Adapter, type LoraOptions } from '../../../kernels/train/lora.ts'

/** The tiny seeded model whose PyTorch gradients are committed in test/kernels/golden/train-grads.json. */
export const TRAIN_GOLDEN_CONFIG = {
  model_type: 'aip_lasa_moe',
  vocab_size: 272,
  hidden_size: 16,
  intermediate_size: 12,
  num_hidden_layers: 2,
  num_attention_heads: 4,
  num_key_value_heads: 2,
  head_dim: 4,
  num_local_experts: 4,
  num_experts_per_tok: 2,
  rms_norm_eps: 1e-5,
  rope_theta: 10000,
  tie_word_embeddings: false,
  lasa_window: [3, 5],
  lasa_global_tokens: 1,
}
export const TRAIN_GOLDEN_SEED = 11

/** The adapters whose PyTorch gradients are committed in test/kernels/golden/train-lora-grads.json: loraInit, then B ≠ 0. */
export const TRAIN_GOLDEN_LORA: LoraOptions = { rank: 2, alpha: 3, targets: ['q_proj', 'k_proj', 'v_proj', 'o_proj'], seed: 5 }
export function goldenAdapters(c: Config): Adapter[] {
  const adapters = loraInit(c, TRAIN_GOLDEN_LORA)
  const rand = mulberry32(3)
  for (const a of adapters) for (let i = 0; i < a.B.length; i++) a.B[i] = 0.3 * (2 * rand() - 1) // B ≠ 0, so dA ≠ 0
  return adapters
}
