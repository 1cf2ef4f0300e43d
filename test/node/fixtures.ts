/** Real signed records for node tests (the record layer builds and signs them; nothing is faked). */
import { createHash } from 'node:crypto'
import { createRecord, parseRecordId, recordId } from '../../protocol/index.ts'
import type { DecodedRecord, SigningKey } from '../../protocol/index.ts'

/** A deterministic record ID to link to (the CID of some bytes). */
export function someId(label: string): string {
  return recordId(new TextEncoder().encode(label))
}

const sha = (s: string) => new Uint8Array(createHash('sha256').update(s).digest())

/** A ~1 KB BenchmarkResult of `model` on `suite` (both record IDs), signed by `key`. */
export function benchmarkResult(key: SigningKey, created: number, suite: string, model: string, seed = 0): DecodedRecord<'BenchmarkResult'> {
  return createRecord('BenchmarkResult', {
    suite: parseRecordId(suite),
    model: parseRecordId(model),
    weights_root: sha(`weights ${model}`),
    engine: { backend: 'onnxruntime', version: '1.30.0', model_name: 'aip-moe-tiny' },
    decoding: { mode: 'likelihood', max_tokens: 0, temperature: '0.0' },
    seed,
    item_count: 400,
    scores: ['refusal', 'over-refusal', 'jailbreak', 'multilingual'].map((category, i) => ({
      category, n: 100, score_ppm: 900_000 - i * 10_000, ci_low_ppm: 850_000 - i * 10_000, ci_high_ppm: 950_000 - i * 10_000,
    })),
    overall_ppm: 885_000,
    transcript_root: sha(`transcript ${seed}`),
    method: 'wilson-95',
  }, key, created)
}
