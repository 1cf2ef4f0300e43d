import { test } from 'node:test'
import assert from 'node:assert/strict'
import { parseConfig } from '../../kernels/config.ts'
import { ModelError } from '../../kernels/errors.ts'
import { BUNDLED_CONFIG_JSON } from '../../kernels/bundled.ts'
import { TINY_MIXTRAL } from './helpers.ts'

function refuses(json: unknown, code: string, pattern: RegExp) {
  assert.throws(() => parseConfig(json), (e: unknown) => e instanceof ModelError && e.code === code && pattern.test(e.message))
}

test('the bundled config parses with LASA keys', () => {
  const c = parseConfig(BUNDLED_CONFIG_JSON)
  assert.deepEqual(
    { ...c, window: c.window },
    { vocab: 272, dim: 128, hidden: 256, layers: 4, heads: 4, kvHeads: 2, headDim: 32, experts: 16, topK: 2, eps: 1e-5, ropeTheta: 10000, tied: false, lasa: true, window: [64, 64, 64, 64], globals: 4 },
  )
})

test('a plain Mixtral config runs as full causal attention, head_dim derived', () => {
  const c = parseConfig(TINY_MIXTRAL)
  assert.equal(c.lasa, false)
  assert.equal(c.globals, 0)
  assert.deepEqual(c.window, [Infinity, Infinity])
  assert.equal(c.headDim, 8)
  assert.equal(c.tied, true)
  assert.equal(c.experts, 8)
})

test('per-layer lasa_window', () => {
  assert.deepEqual(parseConfig({ ...TINY_MIXTRAL, lasa_window: [3, 9], lasa_global_tokens: 1 }).window, [3, 9])
  refuses({ ...TINY_MIXTRAL, lasa_window: [3] }, 'bad_config', /lasa_window.*1 entries/)
  refuses({ ...TINY_MIXTRAL, lasa_window: [3, 0] }, 'bad_config', /'1'/)
  refuses({ ...TINY_MIXTRAL, lasa_global_tokens: 2 }, 'bad_config', /without 'lasa_window'/)
})

test('features that would be mis-run are refused', () => {
  refuses({ ...TINY_MIXTRAL, sliding_window: 4096 }, 'unsupported_config', /sliding_window/)
  refuses({ ...TINY_MIXTRAL, rope_scaling: { type: 'linear', factor: 2 } }, 'unsupported_config', /rope_scaling/)
  refuses({ ...TINY_MIXTRAL, hidden_act: 'gelu' }, 'unsupported_config', /hidden_act/)
  refuses({ ...TINY_MIXTRAL, model_type: 'llama' }, 'unsupported_config', /model_type/)
  refuses({ ...TINY_MIXTRAL, attention_bias: true }, 'unsupported_config', /attention_bias/)
})

test('malformed values are refused with the key named', () => {
  refuses(null, 'bad_config', /JSON object/)
  refuses([], 'bad_config', /JSON object/)
  const { vocab_size: _v, ...noVocab } = TINY_MIXTRAL
  refuses(noVocab, 'bad_config', /vocab_size/)
  refuses({ ...TINY_MIXTRAL, hidden_size: '32' }, 'bad_config', /hidden_size/)
  refuses({ ...TINY_MIXTRAL, hidden_size: 1e12 }, 'bad_config', /hidden_size/)
  refuses({ ...TINY_MIXTRAL, num_key_value_heads: 3 }, 'bad_config', /multiple/)
  refuses({ ...TINY_MIXTRAL, num_experts_per_tok: 9 }, 'bad_config', /exceeds/)
  refuses({ ...TINY_MIXTRAL, head_dim: 7 }, 'bad_config', /even/)
  refuses({ ...TINY_MIXTRAL, rms_norm_eps: -1 }, 'bad_config', /rms_norm_eps/)
  refuses({ ...TINY_MIXTRAL, tie_word_embeddings: 'yes' }, 'bad_config', /tie_word_embeddings/)
})
