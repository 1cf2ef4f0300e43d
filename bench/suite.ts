/**
 * `npm run bench -- suite [--backends ts,ort] [--items N]`: the whole bundled suite (likelihood mode) on the
 * bundled model, per backend, one engine worker each (one thread). Goal (issue 6): seconds ≤ 20 with ORT.
 * Prints a table, then one JSON line: items, seconds (wall, ORT, else TS), cpu_seconds (all threads: robust on a
 * shared machine), items_per_s_ts, items_per_s_ort, agreement, and the 1-minute load average during the run; then
 * (issue 12) transcript_root_ts_eq_ort (goal true), outcome_agreement_ts_ort (goal 1), verify_transcript_ms (a
 * stranger's full recomputation of one result from its records; goal ≤ 1 000) and transcript_bytes per result.
 */
import { loadavg } from 'node:os'
import { parseArgs } from 'node:util'
import { openLocalEngine } from '../node/eval/local-engine.ts'
import { runSuite } from '../node/eval/runner.ts'
import { categoryScores } from '../node/eval/scoring.ts'
import { bundledSuite } from '../node/eval/suite-records.ts'
import { transcriptLeaves, transcriptRoot } from '../node/eval/transcript.ts'
import type { ItemOutcome } from '../node/eval/scoring.ts'
import { createHash } from 'node:crypto'
import type { DecodedRecord } from '../protocol/index.ts'
import { createRecord, decodeRecord, generateSigningKey } from '../protocol/index.ts'
import { buildResultBody } from '../node/eval/result.ts'
import { suiteFromRecords } from '../node/eval/suite-records.ts'
import { entriesFromRecords, transcriptToRecords } from '../node/eval/transcript-records.ts'
import { verifyResult } from '../node/eval/verify-record.ts'

/**
 * Issue 12's figures: do TS and ORT commit to the same transcript root and outcomes (§6.1), how long a stranger
 * takes to recompute one result from its records alone (decode and verify the result, the suite's and the
 * transcript's records, then every §8 check it can run, check 9 included), and the transcript's size on the wire.
 */
async function transcriptFigures(ts: Map<string, ItemOutcome> | undefined, ort: Map<string, ItemOutcome> | undefined) {
  const run = ort ?? ts
  const rootOf = (o: Map<string, ItemOutcome>) => Buffer.from(transcriptRoot(transcriptLeaves(items, o))).toString('hex')
  const figures = {
    transcript_root_ts_eq_ort: ts && ort ? rootOf(ts) === rootOf(ort) : null,
    outcome_agreement_ts_ort: ts && ort ? items.filter((i) => ts.get(i.id)!.outcome === ort.get(i.id)!.outcome).length / items.length : null,
    verify_transcript_ms: null as number | null,
    transcript_bytes: null as number | null,
  }
  if (run === undefined) return figures
  const key = generateSigningKey(new Uint8Array(createHash('sha256').update('bench/suite transcript signer').digest()))
  const commitment = createRecord('ModelCommitment', { name: 'm', weights_root: new Uint8Array(32), config_sha256: new Uint8Array(32), architecture: { family: 'mixtral-lasa' }, params_total: 1, params_active_per_token: 1 }, key, 1)
  const { records } = bundledSuite()
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
  if (items.length === all.length && t9?.ok !== true) throw new Error(`check 9 failed in the bench: ${t9?.detail}`)
  figures.transcript_bytes = [...transcript.chunks, transcript.manifest].reduce((a, r) => a + r.bytes.length, 0)
  return figures
}

const GOAL_SECONDS = 20
const { values } = parseArgs({ options: { backends: { type: 'string', default: 'ts,ort' }, items: { type: 'string' } } })
const all = bundledSuite().suite.items
const items = values.items === undefined ? all : all.slice(0, Number(values.items))

interface Row { backend: string; seconds: number; cpu_seconds: number; items_per_s: number; overall_ppm: number; root: string; outcomes: string; error?: string }
const rows: Row[] = []
const outcomesOf = new Map<string, Map<string, ItemOutcome>>()
for (const backend of values.backends!.split(',')) {
  if (backend !== 'ts' && backend !== 'ort') throw new Error(`unknown backend ${backend}`)
  try {
    const { engine } = await openLocalEngine(undefined, backend)
    try {
      await runSuite(engine, items.slice(0, 2), { mode: 'likelihood', seed: 0 }) // warm-up (session creation, JIT)
      const t0 = performance.now(), c0 = process.cpuUsage()
      const outcomes = await runSuite(engine, items, { mode: 'likelihood', seed: 0 })
      const seconds = (performance.now() - t0) / 1000
      const c1 = process.cpuUsage(c0)
      const cpu_seconds = (c1.user + c1.system) / 1e6 // every thread of this process: main, engine worker, ORT
      const root = Buffer.from(transcriptRoot(transcriptLeaves(items, outcomes))).toString('hex')
      outcomesOf.set(backend, outcomes)
      rows.push({ backend, seconds, cpu_seconds, items_per_s: items.length / seconds, overall_ppm: categoryScores(items, outcomes).overall_ppm, root, outcomes: items.map((i) => outcomes.get(i.id)!.outcome[0]).join('') })
    } finally {
      await engine.close()
    }
  } catch (e) {
    rows.push({ backend, seconds: NaN, cpu_seconds: NaN, items_per_s: NaN, overall_ppm: NaN, root: '', outcomes: '', error: (e as Error).message.split('\n')[0] })
  }
}

console.log(`bundled suite: ${items.length} items, likelihood mode, bundled model (untrained), goal ≤ ${GOAL_SECONDS} s with ORT`)
console.log(`${'backend'.padEnd(8)} ${'seconds'.padStart(8)} ${'cpu s'.padStart(8)} ${'items/s'.padStart(8)} ${'overall'.padStart(8)}  transcript root`)
for (const r of rows) {
  if (r.error !== undefined) console.log(`${r.backend.padEnd(8)} unavailable: ${r.error}`)
  else console.log(`${r.backend.padEnd(8)} ${r.seconds.toFixed(2).padStart(8)} ${r.cpu_seconds.toFixed(2).padStart(8)} ${r.items_per_s.toFixed(1).padStart(8)} ${(r.overall_ppm / 1e4).toFixed(2).padStart(7)}%  ${r.root.slice(0, 16)}…`)
}
const ts = rows.find((r) => r.backend === 'ts' && r.error === undefined)
const ort = rows.find((r) => r.backend === 'ort' && r.error === undefined)
let agreement: number | null = null
if (ts && ort) {
  let same = 0
  for (let i = 0; i < ts.outcomes.length; i++) if (ts.outcomes[i] === ort.outcomes[i]) same++
  agreement = same / ts.outcomes.length
  console.log(`ts/ort outcome agreement: ${(agreement * 100).toFixed(1)}% (float differences can flip near-ties)`)
}
const seconds = (ort ?? ts)?.seconds ?? null
const figures = await transcriptFigures(outcomesOf.get('ts'), outcomesOf.get('ort'))
console.log(`transcript: root ts = ort: ${figures.transcript_root_ts_eq_ort}; a stranger's full recomputation of one result from records: ${figures.verify_transcript_ms} ms; transcript records ${figures.transcript_bytes} bytes`)
console.log(JSON.stringify({
  items: items.length,
  seconds: seconds === null ? null : Number(seconds.toFixed(3)),
  seconds_backend: ort ? 'ort' : ts ? 'ts' : null,
  cpu_seconds: (ort ?? ts) ? Number((ort ?? ts)!.cpu_seconds.toFixed(3)) : null,
  load_avg_1m: Number(loadavg()[0]!.toFixed(2)),
  goal_seconds: GOAL_SECONDS,
  meets_goal: ort ? ort.seconds <= GOAL_SECONDS : false,
  items_per_s_ts: ts ? Number(ts.items_per_s.toFixed(2)) : null,
  items_per_s_ort: ort ? Number(ort.items_per_s.toFixed(2)) : null,
  ts_ort_agreement: agreement,
  ...figures,
}))
