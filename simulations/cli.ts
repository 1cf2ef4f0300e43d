/**
 * npm run simulate -- --scenario NAME|FILE --out DIR [--sites N | --max-sites N] [--workers W] [--quiet] [--json]
 * Runs a scenario, writes DIR/report.json and DIR/report.html, prints the summary table (and, with scale steps, one
 * JSON line last: the scale summary). Exit 0 when every assertion passed, 1 when one failed, 2 on a usage or
 * scenario error.
 */
import '../node/polyfill.ts'
import { parseArgs } from 'node:util'
import { loadScenario, shippedScenarios } from './scenario/load.ts'
import { ScenarioError } from './scenario/validate.ts'
import { summaryTable, resultsTable } from './report/table.ts'
import { simulate } from './simulate.ts'

const USAGE = `usage: npm run simulate -- --scenario NAME|FILE [--out DIR] [--sites N | --max-sites N] [--workers W] [--quiet] [--json]

  --scenario   a shipped scenario name (simulations/scenarios/NAME.json) or a path to a scenario file
  --out        directory for report.json, report.html and the sites' working files (default runs/NAME)
  --sites      run a generated-sites scenario at N sites only, without its scale steps (e.g. one size of scale-1000)
  --max-sites  run its scale steps below N, then N sites: the sweep stopped at N (e.g. where a machine's time or memory ends)
  --workers    mode memory: spread the sites over W worker processes (sites of one worker talk over @libp2p/memory,
               of different workers over TCP on 127.0.0.1); default: the scenario's workers (1: all in this process)
  --quiet      no progress lines on stderr
  --json       print report.json on stdout instead of the summary table
`

async function main(argv: string[]): Promise<number> {
  let args
  try {
    args = parseArgs({ args: argv, options: {
      scenario: { type: 'string' }, out: { type: 'string' }, sites: { type: 'string' }, 'max-sites': { type: 'string' }, workers: { type: 'string' }, quiet: { type: 'boolean' }, json: { type: 'boolean' }, help: { type: 'boolean', short: 'h' },
    } })
  } catch (err) {
    process.stderr.write(`${(err as Error).message}\n${USAGE}`)
    return 2
  }
  const v = args.values
  if (v.help === true) { process.stdout.write(USAGE + `\nshipped scenarios: ${(await shippedScenarios()).join(', ')}\n`); return 0 }
  if (v.scenario === undefined) { process.stderr.write(`--scenario is required\n${USAGE}`); return 2 }
  let sites: number | undefined
  const given = v.sites ?? v['max-sites']
  if (v.sites !== undefined && v['max-sites'] !== undefined) { process.stderr.write(`--sites and --max-sites exclude each other\n${USAGE}`); return 2 }
  if (given !== undefined) {
    sites = Number(given)
    if (!Number.isInteger(sites) || sites < 2) { process.stderr.write(`--sites / --max-sites: an integer ≥ 2, got ${given}\n`); return 2 }
  }
  const keepSteps = v['max-sites'] !== undefined
  let workers: number | undefined
  if (v.workers !== undefined) {
    workers = Number(v.workers)
    if (!Number.isInteger(workers) || workers < 1) { process.stderr.write(`--workers: an integer ≥ 1, got ${v.workers}\n`); return 2 }
  }
  let scenario
  try {
    scenario = await loadScenario(v.scenario, sites, keepSteps, workers)
  } catch (err) {
    if (err instanceof ScenarioError) { process.stderr.write(`${err.message}\n`); return 2 }
    throw err
  }
  const out = v.out ?? `runs/${scenario.name}`
  const log = v.quiet === true ? undefined : (line: string) => process.stderr.write(`[${scenario.name}] ${line}\n`)
  const { report, json, html } = await simulate(v.scenario, { out, log, sites, keepSteps, workers })
  if (v.json === true) process.stdout.write(JSON.stringify(report, null, 2) + '\n')
  else {
    process.stdout.write(`${summaryTable(report)}${resultsTable(report)}\nreport: ${json}\n        ${html}\n`)
    if (report.scale_summary !== null) process.stdout.write(JSON.stringify(report.scale_summary) + '\n')
  }
  return report.ok ? 0 : 1
}

main(process.argv.slice(2)).then((code) => process.exit(code), (err: unknown) => {
  process.stderr.write(`simulate: ${(err as Error).stack ?? String(err)}\n`)
  process.exit(1)
})
