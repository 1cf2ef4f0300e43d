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
