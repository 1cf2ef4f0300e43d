/**
 * One call from scenario to report: load, run, build report, write DIR/report.json + DIR/report.html.
 * The bundled model (kernels/bundled.ts) is every site's model, so its weight file is what the egress monitors
 * look for.
 */
import { join } from 'node:path'
import { ensureBundledModel } from '../kernels/bundled.ts'
import { loadWeightFiles } from '../node/net/egress/index.ts'
import { buildReport, scaleRow } from './report/report.ts'
import type { Report, ScaleRow } from './report/report.ts'
import { writeReport } from './report/write.ts'
import type { BackendName } from '../kernels/backend.ts'
import { runScenario } from './runner/runner.ts'
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
  const weightsDir = await ensureBundledModel()
  // In process mode every child indexes the weights itself.
  const weights = scenario.mode === 'memory' ? await loadWeightFiles(weightsDir) : undefined
  const run = await runScenario(scenario, { workDir: join(opts.out, 'work'), weights, weightsDir, log: opts.log, backend: opts.backend })
  const report = buildReport(run)
  amend?.(report)
  const paths = await writeReport(opts.out, report)
  return { report, ...paths }
}
