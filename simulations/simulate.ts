/**
 * One call from scenario to report: load, run, build report, write DIR/report.json + DIR/report.html.
 * The bundled model (kernels/bundled.ts) is every site's model unless the scenario says otherwise (models: per-site
 * or trained), so its weight file is what the egress monitors look for.
 */
import { join } from 'node:path'
import { existsSync, rmSync } from 'node:fs'
import { BUNDLED_CONFIG_JSON, ensureBundledModel, modelFilesFor, randomWeights, writeModelDir, parseConfig } from '../kernels/index.ts'
import { buildReport, scaleRow } from './report/report.ts'
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
}

/** Runs a scenario (and first its scale steps, each in DIR/scale-N), writes the reports. */
export async function simulate(nameOrPath: string, opts: SimulateOptions): Promise<{ report: Report; json: string; html: string }> {
  const scenario = await loadScenario(nameOrPath)
  const rows: ScaleRow[] = []
  for (const n of scenario.scale_steps) {
    opts.log?.(`scale step: ${n} sites`)
    const step = await simulateScenario(await loadScenario(nameOrPath, n), { ...opts, out: join(opts.out, `scale-${n}`) })
    rows.push(scaleRow(step.report))
  }
  if (rows.length === 0) return simulateScenario(scenario, opts)
  return simulateScenario(scenario, opts, (report) => { report.scaling = [...rows, scaleRow(report)] })
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
