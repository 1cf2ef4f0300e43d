/**
 * What sites put on the wire in a simulation: signed BenchmarkResults with seeded scores (the `result` publish kind;
 * `evaluation` runs the real suite, see evaluate.ts), and the byzantine roles' hostile bytes.
 */
import { CID } from 'multiformats/cid'
import * as raw from 'multiformats/codecs/raw'
import { sha256 } from 'multiformats/hashes/sha2'
import { createRecord } from '../../protocol/index.ts'
import type { DecodedRecord, SigningKey } from '../../protocol/index.ts'
import type { Rng } from '../rng.ts'

async function cidOf(label: string): Promise<CID> {
  return CID.create(1, raw.code, await sha256.digest(new TextEncoder().encode(label)))
}

/** A ~1 KB BenchmarkResult with seeded scores over a named (not shipped) suite and model. */
export async function syntheticResult(key: SigningKey, site: string, n: number, rng: Rng, created: number): Promise<DecodedRecord> {
  const categories = ['violent-crimes', 'cbrn', 'self-harm', 'hate', 'privacy', 'benign-over-refusal']
  const scores = categories.map((category) => {
    const score = 500_000 + rng.int(500_000)
    return { category, n: 50, score_ppm: score, ci_low_ppm: Math.max(0, score - 80_000), ci_high_ppm: Math.min(1_000_000, score + 60_000) }
  })
  return createRecord('BenchmarkResult', {
    suite: await cidOf('simulation suite'),
    model: await cidOf(`model of ${site}`),
    weights_root: rng.bytes(32),
    engine: { backend: 'simulation', version: '1', model_name: `${site}-model` },
    decoding: { mode: 'likelihood', max_tokens: 0, temperature: '0.0' },
    seed: n,
    item_count: 300,
    scores,
    overall_ppm: Math.round(scores.reduce((a, s) => a + s.score_ppm, 0) / scores.length),
    transcript_root: rng.bytes(32),
    method: 'wilson-95',
  }, key, created)
}

/** A forgery of a record another site signed: one body byte changed, signature kept (it no longer verifies). */
export function forge(victim: Uint8Array, rng: Rng): Uint8Array {
  const bytes = victim.slice()
  // Flip a byte in the middle third (the payload), never the CBOR head.
  const at = Math.floor(bytes.length / 3) + rng.int(Math.floor(bytes.length / 3))
  bytes[at] ^= 0x01 << rng.int(8)
  return bytes
}

/** Spam: bytes that are not a record at all. */
export function garbage(rng: Rng): Uint8Array {
  return rng.bytes(64 + rng.int(900))
}
