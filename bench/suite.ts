/**
 * `npm run bench -- suite [--backends ts,ort] [--items N]`: the whole bundled suite (likelihood mode) on the
 * bundled model, per backend, one engine worker each (one thread). Goal (issue 6): seconds ≤ 20 with ORT.
 * Prints a table, then one JSON line: items, seconds (wall, ORT, else TS), cpu_seconds (all threads: robust on a
 * shared machine), items_per_s_ts, items_per_s_ort, agreement, and the 1-minute load average during the run.
 * External engines (issue 18, bench/suite/external.ts): external_concurrency, external_items_per_s and
 * external_vs_ideal against a loopback server answering after 50 ms (--concurrency N, default 4; --backends none
 * skips the local engines).
 */
import { loadavg } from 'node:os'
import { parseArgs } from 'node:util'
import { openLocalEngine } from '../node/eval/local-engine.ts'
import { runSuite } from '../node/eval/runner.ts'
import { categoryScores } from '../node/eval/scoring.ts'
import { bundledSuite } from '../node/eval/suite-records.ts'
import { transcriptLeaves, transcriptRoot } from '../node/eval/transcript.ts'
import { DEFAULT_ENGINE_CONCURRENCY } from '../node/eval/constants.ts'
import { measureExternal } from './suite/external.ts'

const GOAL_SECONDS = 20
const EXTERNAL_DELAY_MS = 50
const { values } = parseArgs({ options: { backends: { type: 'string', default: 'ts,ort' }, items: { type: 'string' }, concurrency: { type: 'string' } } })
const all = bundledSuite().suite.items
const items = values.items === undefined ? all : all.slice(0, Number(values.items))

interface Row { backend: string; seconds: number; cpu_seconds: number; items_per_s: number; overall_ppm: number; root: string; outcomes: string; error?: string }
const rows: Row[] = []
for (const backend of values.backends === 'none' ? [] : values.backends!.split(',')) {
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
const ext = await measureExternal(items, Number(values.concurrency ?? DEFAULT_ENGINE_CONCURRENCY), EXTERNAL_DELAY_MS)
console.log(`external engine (loopback, ${ext.delayMs} ms per answer, generative): ${ext.sequentialItemsPerS.toFixed(1)} items/s sequential, ${ext.itemsPerS.toFixed(1)} items/s with concurrency ${ext.concurrency} = ${(ext.vsIdeal * 100).toFixed(1)}% of ideal (goal ≥ 90%); outcomes identical: ${ext.identical}; ${ext.cpuMsPerItem.toFixed(2)} ms CPU per item (client + server in this process), load average ${loadavg()[0]!.toFixed(1)}`)
const seconds = (ort ?? ts)?.seconds ?? null
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
  external_concurrency: ext.concurrency,
  external_items_per_s: Number(ext.itemsPerS.toFixed(2)),
  external_vs_ideal: Number(ext.vsIdeal.toFixed(3)),
  external_sequential_items_per_s: Number(ext.sequentialItemsPerS.toFixed(2)),
  external_identical: ext.identical,
  external_cpu_ms_per_item: Number(ext.cpuMsPerItem.toFixed(3)),
  external_speedup_vs_sequential: Number((ext.itemsPerS / ext.sequentialItemsPerS).toFixed(2)),
}))
