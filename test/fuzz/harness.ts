/**
 * The fuzz harness (issue 11 item 5): fast-check drives each target with `inputs` generated inputs from a fixed seed,
 * and every input is judged by the target's oracle. A failure is one of:
 *   crash            — an exception other than the target's documented error class with a code
 *   hang             — one input took over HANG_MS (synchronous targets are timed; async ones are raced)
 *   accepted-invalid — the oracle saw an input accepted that must not be (a mutated envelope, a second wire form)
 *   differential     — our decoder and the independent one (cborg) disagree on a valid input
 *   heap             — the target's heap grew over HEAP_GROWTH_MAX bytes (after GC) across its run
 * Failures are counted, never thrown: a run reports every failure it saw (the first few with their input in hex).
 * The property never fails, so fast-check does not shrink; `--seed S` and the input's index reproduce it.
 */
import { setFlagsFromString } from 'node:v8'
import { runInNewContext } from 'node:vm'
import { performance } from 'node:perf_hooks'
import fc from 'fast-check'

/** An input slower than this is a hang (issue 11 §Benchmark). */
export const HANG_MS = 1_000
/** A target whose heap grows more than this over its run (after GC) fails (issue 11 §Benchmark). */
export const HEAP_GROWTH_MAX = 64 * 1024 * 1024
/** Failures kept with their input, per target. */
const EXAMPLES_KEPT = 5

export type FailureKind = 'crash' | 'hang' | 'accepted-invalid' | 'differential' | 'heap'

/** What the oracle concluded about one input: fine, or a failure with a reason. */
export type Verdict = 'accepted' | 'rejected' | { fail: FailureKind; reason: string }

export interface FuzzTarget<T = Uint8Array> {
  name: string
  /** Generated inputs (usually mutations of a seeded corpus). */
  arbitrary: fc.Arbitrary<T>
  /**
   * Runs one input and judges it. Throwing means a crash: the target catches its own documented error class (and
   * checks its code) and returns 'rejected'.
   */
  run(input: T): Verdict | Promise<Verdict>
  /** Hex (or text) of an input, for the report. */
  show?(input: T): string
  /** Started before the run, stopped after it (e.g. a real API server). */
  setup?(): Promise<void>
  teardown?(): Promise<void>
}

export interface TargetReport {
  name: string
  inputs: number
  accepted: number
  rejected: number
  failures: number
  byKind: Partial<Record<FailureKind, number>>
  examples: { index: number; kind: FailureKind; reason: string; input: string }[]
  heapGrowthBytes: number
  slowestMs: number
  seconds: number
}

let gcFn: (() => void) | undefined
function gc(): void {
  if (gcFn === undefined) {
    setFlagsFromString('--expose-gc')
    gcFn = runInNewContext('gc') as () => void
  }
  gcFn()
  gcFn()
}

/** JS heap plus memory held outside it by JS objects (ArrayBuffers: every Uint8Array's bytes), after GC. */
function heapUsed(): number {
  gc()
  const m = process.memoryUsage()
  return m.heapUsed + m.external
}

const hex = (b: Uint8Array): string => Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString('hex')

function showInput(target: FuzzTarget<unknown>, input: unknown): string {
  const s = target.show !== undefined ? target.show(input) : input instanceof Uint8Array ? hex(input) : JSON.stringify(input)
  return s.length > 400 ? `${s.slice(0, 400)}… (${s.length} chars)` : s
}

function describe(e: unknown): string {
  return e instanceof Error ? `${e.name}: ${e.message}`.slice(0, 300) : String(e).slice(0, 300)
}

/** Races an async verdict against HANG_MS. */
async function withDeadline(p: Promise<Verdict>): Promise<Verdict> {
  let timer: NodeJS.Timeout | undefined
  const hang = new Promise<Verdict>((resolve) => {
    timer = setTimeout(() => resolve({ fail: 'hang', reason: `no verdict within ${HANG_MS} ms` }), HANG_MS)
  })
  try {
    return await Promise.race([p, hang])
  } finally {
    clearTimeout(timer)
  }
}

/** Runs `inputs` inputs through one target from seed `seed`; never throws for a target's failure. */
export async function fuzzTarget<T>(target: FuzzTarget<T>, inputs: number, seed: number): Promise<TargetReport> {
  const t = target as FuzzTarget<unknown>
  const report: TargetReport = {
    name: target.name, inputs: 0, accepted: 0, rejected: 0, failures: 0, byKind: {}, examples: [], heapGrowthBytes: 0, slowestMs: 0, seconds: 0,
  }
  const fail = (kind: FailureKind, reason: string, input: unknown) => {
    report.failures++
    report.byKind[kind] = (report.byKind[kind] ?? 0) + 1
    if (report.examples.length < EXAMPLES_KEPT) report.examples.push({ index: report.inputs - 1, kind, reason, input: showInput(t, input) })
  }
  const judge = (v: Verdict, input: unknown) => {
    if (v === 'accepted') report.accepted++
    else if (v === 'rejected') report.rejected++
    else fail(v.fail, v.reason, input)
  }
  const started = performance.now()
  await target.setup?.()
  const heapBefore = heapUsed()
  try {
    if (inputs > 0) {
      const prop = fc.asyncProperty(target.arbitrary, async (input) => {
        report.inputs++
        const t0 = performance.now()
        let v: Verdict
        try {
          const r = target.run(input)
          v = r instanceof Promise ? await withDeadline(r) : r
        } catch (e) {
          v = { fail: 'crash', reason: describe(e) }
        }
        const ms = performance.now() - t0
        if (ms > report.slowestMs) report.slowestMs = ms
        if (ms > HANG_MS && !(typeof v === 'object' && v.fail === 'hang')) v = { fail: 'hang', reason: `took ${ms.toFixed(0)} ms` }
        judge(v, input)
        return true
      })
      await fc.assert(prop, { numRuns: inputs, seed, endOnFailure: true })
    }
  } finally {
    report.heapGrowthBytes = heapUsed() - heapBefore
    await target.teardown?.()
  }
  if (report.heapGrowthBytes > HEAP_GROWTH_MAX) fail('heap', `heap grew ${(report.heapGrowthBytes / 2 ** 20).toFixed(1)} MiB over the run`, '(whole run)')
  report.seconds = (performance.now() - started) / 1000
  return report
}

export interface FuzzRun {
  seed: number
  inputs: number
  failures: number
  targets: TargetReport[]
}

/**
 * Runs each target with its share of `total` inputs (`weights`, default equal). A target whose setup throws is
 * reported as one crash.
 */
export async function fuzz(targets: FuzzTarget<unknown>[], total: number, seed: number, weights: Record<string, number> = {}, onReport?: (r: TargetReport) => void): Promise<FuzzRun> {
  const w = targets.map((t) => weights[t.name] ?? 1)
  const sum = w.reduce((a, b) => a + b, 0)
  const out: FuzzRun = { seed, inputs: 0, failures: 0, targets: [] }
  for (let i = 0; i < targets.length; i++) {
    const n = Math.max(1, Math.round((total * w[i]!) / sum))
    let r: TargetReport
    try {
      r = await fuzzTarget(targets[i]!, n, seed + i)
    } catch (e) {
      r = { name: targets[i]!.name, inputs: 0, accepted: 0, rejected: 0, failures: 1, byKind: { crash: 1 }, examples: [{ index: -1, kind: 'crash', reason: `harness: ${describe(e)}`, input: '' }], heapGrowthBytes: 0, slowestMs: 0, seconds: 0 }
    }
    out.targets.push(r)
    out.inputs += r.inputs
    out.failures += r.failures
    onReport?.(r)
  }
  return out
}
