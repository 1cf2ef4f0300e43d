/**
 * `npm start`: the federation demo. Five nations' sites start on this machine; each runs the bundled safety suite on
 * its own engine, publishes its signed result, and verifies everyone else's. Then one nation publishes a red-team
 * bundle, another approves it, tunes on it and publishes the tuned result, and the others verify its lineage
 * (sovereign-tune's loop, shorter). Ends with the federation's verified results table, the tuning's figures before and
 * after with their Wilson intervals, and the report's path. Options: --out DIR (default runs/federation-demo),
 * --backend ts|ort.
 */
import '../node/polyfill.ts'
import { parseArgs } from 'node:util'
import { resultsTable, summaryTable, tuneTable } from './report/table.ts'
import { simulate } from './simulate.ts'

async function main(): Promise<number> {
  const { values } = parseArgs({ options: { out: { type: 'string' }, backend: { type: 'string' }, help: { type: 'boolean', short: 'h' } } })
  if (values.help === true) {
    process.stdout.write('usage: npm start [-- --out DIR] [-- --backend ort|ts]\nRuns simulations/scenarios/federation-demo.json; see simulations/README.md.\n')
    return 0
  }
  const backend = values.backend ?? 'ort'
  if (backend !== 'ort' && backend !== 'ts') { process.stderr.write('--backend must be ort or ts\n'); return 2 }
  const out = values.out ?? 'runs/federation-demo'
  const t0 = Date.now()
  process.stderr.write('AIP federation demo: 5 sovereign sites (CH, DE, FR, IT, EE) on this machine.\n')
  const { report, json, html } = await simulate('federation-demo', {
    out, backend, log: (line) => process.stderr.write(`  ${line}\n`),
  })
  process.stdout.write(`\n${summaryTable(report)}\nVerified results of the federation (bundled suite aip-safety-v1, each site on its own engine):\n${resultsTable(report)}`)
  const tuned = tuneTable(report)
  if (tuned !== '') process.stdout.write(`\nSovereignTune: a nation tunes on another nation's approved red-team bundle (95 % Wilson intervals):\n${tuned}`)
  process.stdout.write(`\n${report.ok ? 'All assertions passed' : 'SOME ASSERTIONS FAILED'} in ${Math.round((Date.now() - t0) / 1000)} s.\nReport: ${html}\n        ${json}\n`)
  return report.ok ? 0 : 1
}

main().then((code) => process.exit(code), (err: unknown) => {
  process.stderr.write(`demo failed: ${(err as Error).stack ?? String(err)}\n`)
  process.exit(1)
})
