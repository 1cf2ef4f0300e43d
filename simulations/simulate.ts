/**
 * One call from scenario to report: load, run, build report, write DIR/report.json + DIR/report.html.
 * The bundled model (kernels/bundled.ts) is every site's model, so its weight file is what the egress monitors
 * look for.
 */
import { join } from 'node:path'
import { ensureBundledModel } from '../kernels/bundled.ts'
import { loadWeightFiles } from '../node/net/egress/index.ts'
import { buildReport } from './report/report.ts'
import type { Report } from './report/report.ts'
import { writeReport } from './report/write.ts'
import { runScenario } from './runner/runner.ts'
import type { RunOptions } from './runner/runner.ts'
import type { Scenario } from './scenario/types.ts'

export interface SimulateOptions {
  out: string
  log?: (line: string) => void
  evaluate?: RunOptions['evaluate']
  verify?: RunOptions['verify']
}

export async function simulate(scenario: Scenario, opts: SimulateOptions): Promise<{ report: Report; json: string; html: string }> {
  const weights = await loadWeightFiles(await ensureBundledModel())
  const run = await runScenario(scenario, { workDir: join(opts.out, 'work'), weights, log: opts.log, evaluate: opts.evaluate, verify: opts.verify })
  const report = buildReport(run)
  const paths = await writeReport(opts.out, report)
  return { report, ...paths }
}
