/** One fuzz run over the chosen targets, with a readable line per target (shared by scripts/fuzz.ts and the bench). */
import type { FuzzRun, TargetReport } from './harness.ts'
import { fuzz } from './harness.ts'
import { API_INPUTS_MAX, TARGETS, WEIGHTS } from './targets/index.ts'

export function formatReport(r: TargetReport): string {
  const kinds = Object.entries(r.byKind).map(([k, n]) => `${k} ${n}`).join(', ')
  return `${r.name.padEnd(11)} ${String(r.inputs).padStart(9)} inputs  ${String(r.accepted).padStart(8)} accepted  ${String(r.rejected).padStart(8)} rejected  ` +
    `${String(r.failures).padStart(5)} failures${kinds === '' ? '' : ` (${kinds})`}  slowest ${r.slowestMs.toFixed(0)} ms  heap ${(r.heapGrowthBytes / 2 ** 20).toFixed(1)} MiB  ${r.seconds.toFixed(1)} s`
}

export async function runFuzz(inputs: number, seed: number, only: string[] | undefined, print: (line: string) => void): Promise<FuzzRun> {
  const unknown = (only ?? []).filter((n) => !TARGETS.some((t) => t.name === n))
  if (unknown.length > 0) throw new Error(`unknown target ${unknown.join(', ')}; targets: ${TARGETS.map((t) => t.name).join(', ')}`)
  const targets = TARGETS.filter((t) => only === undefined || only.includes(t.name))
  const sum = targets.reduce((a, t) => a + (WEIGHTS[t.name] ?? 1), 0)
  // the API's share is capped; what it does not use goes to the others
  const weights = { ...WEIGHTS }
  if (targets.some((t) => t.name === 'api') && targets.length > 1) {
    const apiShare = Math.min(API_INPUTS_MAX, Math.round((inputs * weights.api!) / sum))
    weights.api = ((sum - weights.api!) * apiShare) / Math.max(1, inputs - apiShare)
  }
  const run = await fuzz(targets, inputs, seed, weights, (r) => print(formatReport(r)))
  for (const t of run.targets) for (const e of t.examples) print(`  ${t.name} #${e.index} ${e.kind}: ${e.reason}\n    input: ${e.input}`)
  print(`total: ${run.inputs} inputs, ${run.failures} failures (seed ${seed})`)
  return run
}
