/**
 * One call from scenario to report: load, run, build report, write DIR/report.json + DIR/report.html.
 * The bundled model (kernels/bundled.ts) is every site's model unless the scenario says otherwise (models: per-site
 * or trained), so its weight file is what the egress monitors look for.
 */
import { spawn } from 'node:child_process'
import { join } from 'node:path'
import { existsSync, rmSync } from 'node:fs'
import { readFile } from 'node:fs/promises'
import { fileURLToPath } from 'node:url'
import { TS_EXEC_ARGV } from '../node/index.ts'
import { BUNDLED_CONFIG_JSON, ensureBundledModel, modelFilesFor, randomWeights, writeModelDir, parseConfig } from '../kernels/index.ts'
import { buildReport, scaleRow, scaleSummary } from './report/report.ts'
import type { Report, ScaleRow } from './report/report.ts'
import { writeReport } from './report/write.ts'
import type { BackendName } from '../kernels/index.ts'
import { runScenario } from './runner/runner.ts'
import { trainedBundledModelDir } from '../node/index.ts'
import { loadScenario } from './scenario/load.ts'
import type { Scenario } from './scenario/types.ts'

export interface SimulateOptions {
  out: string
  log?: (line: string) => void
  /** Engine backend of `evaluation` publishes (default ort). */
  backend?: BackendName
  /** Run the scenario at this many generated sites only (no scale steps)… */
  sites?: number
  /** … or, with `sites`, its scale steps below `sites` first (a sweep that stops at `sites`). */
  keepSteps?: boolean
  /** Worker processes (mode memory) instead of the scenario's `workers`, for every step. */
  workers?: number
}

/**
 * Runs a scenario (and first its scale steps, each in DIR/scale-N), writes the reports. Each scale step runs in a
 * process of its own (the CLI with --sites N), so the memory a size measures is its own, not the heap an earlier
 * size left behind, and a step that dies does not take the sweep with it.
 */
export async function simulate(nameOrPath: string, opts: SimulateOptions): Promise<{ report: Report; json: string; html: string }> {
  const scenario = await loadScenario(nameOrPath, opts.sites, opts.keepSteps, opts.workers)
  const rows: ScaleRow[] = []
  for (const n of scenario.scale_steps) {
    opts.log?.(`scale step: ${n} sites (own process)`)
    rows.push(scaleRow(await simulateStep(nameOrPath, n, join(opts.out, `scale-${n}`), opts)))
  }
  if (rows.length === 0) return simulateScenario(scenario, opts)
  return simulateScenario(scenario, opts, (report) => {
    report.scaling = [...rows, scaleRow(report)]
    report.scale_summary = scaleSummary(report.scaling)
  })
}

const CLI = fileURLToPath(new URL('./cli.ts', import.meta.url))

/** One scale step in a child process; its report.json (written whether or not its assertions passed). */
async function simulateStep(nameOrPath: string, sites: number, out: string, opts: SimulateOptions): Promise<Report> {
  const args = [...TS_EXEC_ARGV, CLI, '--scenario', nameOrPath, '--sites', String(sites), '--out', out, '--json']
  if (opts.log === undefined) args.push('--quiet')
  if (opts.workers !== undefined) args.push('--workers', String(opts.workers))
  const child = spawn(process.execPath, args, { stdio: ['ignore', 'ignore', 'inherit'] })
  const code = await new Promise<number | null>((resolve, reject) => { child.on('error', reject); child.on('exit', resolve) })
  try {
    return JSON.parse(await readFile(join(out, 'report.json'), 'utf8')) as Report
  } catch (err) {
    throw new Error(`scale step ${sites}: no report (exit ${code}): ${(err as Error).message}`, { cause: err })
  }
}

export async function simulateScenario(scenario: Scenario, opts: SimulateOptions, amend?: (r: Report) => void): Promise<{ report: Report; json: string; html: string }> {
  const bundled = await ensureBundledModel()
  const modelDirs = new Map<string, string>()
  if (scenario.models === 'per-site') {
    scenario.sites.forEach((s, i) => modelDirs.set(s.id, siteModel(join(opts.out, 'work', 'models', s.id), scenario.seed, i)))
    opts.log?.(`${modelDirs.size} site models generated`)
  }
  const shared = scenario.models === 'trained' ? trainedBundledModelDir() : bundled
  const modelDirOf = (site: string): string => modelDirs.get(site) ?? shared
  const run = await runScenario(scenario, { workDir: join(opts.out, 'work'), modelDirOf, log: opts.log, backend: opts.backend })
  const report = buildReport(run)
  amend?.(report)
  const paths = await writeReport(opts.out, report)
  return { report, ...paths }
}

/** A site's own model: the bundled architecture with weights from a seed of its own (written once per run). */
function siteModel(dir: string, seed: number, index: number): string {
  if (existsSync(dir)) rmSync(dir, { recursive: true, force: true })
  const configJson = { ...BUNDLED_CONFIG_JSON }
  writeModelDir(dir, modelFilesFor(configJson, randomWeights(parseConfig(configJson), (seed * 7919 + index + 1) >>> 0)))
  return dir
}
