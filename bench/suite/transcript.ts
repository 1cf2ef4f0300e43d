/**
 * Issue 12's figures for `npm run bench -- suite`: do TS and ORT commit to the same transcript root and outcomes
 * (specs/evaluation-v1.md §6.1), how long a stranger takes to recompute one result from its records alone (decode
 * and verify the result, the suite's and the transcript's records, then every §8 check it can run, check 9
 * included), and the transcript's size on the wire.
 */
import { createHash } from 'node:crypto'
import type { DecodedRecord } from '../../protocol/index.ts'
import { createRecord, decodeRecord, generateSigningKey } from '../../protocol/index.ts'
import { buildResultBody } from '../../node/eval/result.ts'
import type { ItemOutcome } from '../../node/eval/scoring.ts'
import type { SuiteItem } from '../../node/eval/suite.ts'
import { bundledSuite, suiteFromRecords } from '../../node/eval/suite-records.ts'
import { transcriptLeaves, transcriptRoot } from '../../node/eval/transcript.ts'
import { entriesFromRecords, transcriptToRecords } from '../../node/eval/transcript-records.ts'
import { verifyResult } from '../../node/eval/verify-record.ts'

export interface TranscriptFigures {
  transcript_root_ts_eq_ort: boolean | null
  outcome_agreement_ts_ort: number | null
  verify_transcript_ms: number | null
  transcript_bytes: number | null
}

export async function transcriptFigures(items: readonly SuiteItem[], ts: Map<string, ItemOutcome> | undefined, ort: Map<string, ItemOutcome> | undefined): Promise<TranscriptFigures> {
  const run = ort ?? ts
  const rootOf = (o: Map<string, ItemOutcome>) => Buffer.from(transcriptRoot(transcriptLeaves(items, o))).toString('hex')
  const figures: TranscriptFigures = {
    transcript_root_ts_eq_ort: ts && ort ? rootOf(ts) === rootOf(ort) : null,
    outcome_agreement_ts_ort: ts && ort ? items.filter((i) => ts.get(i.id)!.outcome === ort.get(i.id)!.outcome).length / items.length : null,
    verify_transcript_ms: null,
    transcript_bytes: null,
  }
  if (run === undefined) return figures
  const key = generateSigningKey(new Uint8Array(createHash('sha256').update('bench/suite transcript signer').digest()))
  const commitment = createRecord('ModelCommitment', { name: 'm', weights_root: new Uint8Array(32), config_sha256: new Uint8Array(32), architecture: { family: 'mixtral-lasa' }, params_total: 1, params_active_per_token: 1 }, key, 1)
  const { records, suite } = bundledSuite()
  const result = createRecord('BenchmarkResult', buildResultBody({ suiteId: records.manifest.id, commitment, engine: { backend: 'ort', version: 'v', model_name: 'm' }, decoding: { mode: 'likelihood', max_tokens: 64, temperature: '0' }, seed: 0 }, items, run), key, 2)
  const transcript = transcriptToRecords(result.id, items, run, key, 2)
  const wire = new Map<string, Uint8Array>([...records.chunks, records.manifest, commitment, result, ...transcript.chunks, transcript.manifest].map((r) => [r.id, r.bytes]))
  const decoded = <T extends 'BenchmarkSuite' | 'BenchmarkSuiteChunk' | 'Transcript' | 'TranscriptChunk'>(id: string, type: T): DecodedRecord<T> => {
    const o = decodeRecord(wire.get(id)!)
    if (o.action !== 'accept' || o.record.type !== type) throw new Error(`${id} is not a valid ${type}`)
    return o.record as DecodedRecord<T>
  }
  const t0 = performance.now()
  const v = await verifyResult(result.bytes, {
    getRecord: async (id) => wire.get(id),
    suiteItems: async (id) => {
      const m = decoded(id, 'BenchmarkSuite')
      return suiteFromRecords(m, m.body.chunks.map((c) => decoded(c.toString(), 'BenchmarkSuiteChunk'))).items.slice(0, items.length)
    },
    transcript: async () => {
      const m = decoded(transcript.manifest.id, 'Transcript')
      return entriesFromRecords(m, m.body.chunks.map((c) => decoded(c.toString(), 'TranscriptChunk')))
    },
  })
  figures.verify_transcript_ms = Number((performance.now() - t0).toFixed(1))
  const t9 = v.checks.find((c) => c.name === 'transcript')
  if (items.length === suite.items.length && t9?.ok !== true) throw new Error(`check 9 failed in the bench: ${t9?.detail}`)
  figures.transcript_bytes = [...transcript.chunks, transcript.manifest].reduce((a, r) => a + r.bytes.length, 0)
  return figures
}
