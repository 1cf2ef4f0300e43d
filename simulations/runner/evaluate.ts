/**
 * Real evaluations for the federation demo: each site opens its own engine on its own model (a worker thread,
 * node/eval `openLocalEngine`), runs the bundled suite (`runBenchmark`), and publishes its signed ModelCommitment and
 * BenchmarkResult through its running node. Verification at another site uses only what that site holds: its trust
 * state, the bundled suite's items, the ModelCommitment record from its own store (node/eval `verifyResult`).
 */
import type { DecodedRecord } from '../../protocol/index.ts'
import { decodeRecord } from '../../protocol/index.ts'
import { ensureBundledModel, loadModel } from '../../kernels/index.ts'
import type { BackendName } from '../../kernels/index.ts'
import { decide, infoToJson, openLocalEngine, openTune, findOrCreateCommitment, resolveSuite, runBenchmark, bundledSuite, suiteRates, tune, verifyLineage, verifyResult, loadTrust } from '../../node/index.ts'
import type { RecordAccess, SiteNode, SuiteItem } from '../../node/index.ts'
import type { ProbeRates, ResultRow } from '../run.ts'
import type { TuneSettings } from './handle.ts'

/** Decoding of the demo's runs: likelihood scoring (one forward pass per item), fixed seed. */
const DEMO_SEED = 7

function accessOf(node: SiteNode): RecordAccess {
  return {
    via: 'api',
    site: node.site,
    async *list(q) { for await (const i of node.store.list(q)) yield infoToJson(i) },
    get: (id) => node.store.get(id),
    trust: () => loadTrust(node.store, node.site.config.genesisCharter),
    publish: (bytes) => node.publish(bytes),
    // the node holds its audit log open: operator entries (tuning) go through it
    ...(node.audit === undefined ? {} : { operator: async (action, subject, detail) => { await node.audit!.audit.logOperator(action, subject, detail) } }),
    close: async () => {},
  }
}

export interface Evaluation {
  records: DecodedRecord[]
  row: Omit<ResultRow, 'verified_by'>
}

/** Runs the bundled suite at one site and publishes commitment + result. */
export async function evaluateAtSite(node: SiteNode, site: string, backend: BackendName, onProgress?: (done: number, total: number) => void,
  log?: (line: string) => void, modelDir?: string, committed?: DecodedRecord<'ModelCommitment'>): Promise<Evaluation> {
  const access = accessOf(node)
  const now = (): number => Date.now()
  const suite = await resolveSuite(access, undefined, now())
  // onnxruntime may be unavailable on an unusual platform: the TypeScript kernels compute the same scores, slower.
  const local = await openLocalEngine(modelDir, backend).catch(async (err: unknown) => {
    if (backend === 'ts') throw err
    log?.(`${site}: ${backend} backend unavailable (${(err as Error).message}); using the TypeScript kernels`)
    return openLocalEngine(modelDir, 'ts')
  })
  try {
    // a tuned state evaluates under the commitment SovereignTune signed (it links parent and TuningRecord)
    const commitment = committed ?? await findOrCreateCommitment(access, local.commitment, now())
    const r = await runBenchmark({ access, suite, engine: local.engine, commitment, mode: 'likelihood', seed: DEMO_SEED, maxTokens: 0, now, onProgress })
    if (r.result === undefined) throw new Error(`${site}: the benchmark stopped before the end`)
    if (r.stored?.action !== 'accept') throw new Error(`${site}: result not stored: ${r.stored?.code} ${r.stored?.message ?? ''}`)
    return {
      records: [commitment, r.result],
      row: { record: r.result.id, site, nation: node.site.config.nation, suite: suite.id, model: commitment.id, overall_ppm: r.result.body.overall_ppm, scores: r.result.body.scores },
    }
  } finally {
    await local.engine.close()
  }
}

/** Verifies a result record at a site, from that site's own store and trust state. */
export async function verifyAtSite(node: SiteNode, record: DecodedRecord): Promise<boolean> {
  const bytes = await node.store.get(record.id)
  if (bytes === undefined) return false
  const b = bundledSuite()
  const v = await verifyResult(bytes, {
    trust: await loadTrust(node.store, node.site.config.genesisCharter),
    suiteItems: async (id) => (id === b.records.manifest.id ? b.suite.items : undefined),
    getRecord: (id) => node.store.get(id),
  })
  return v.ok && decodeRecord(bytes).action === 'accept'
}

/** SovereignTune's run parameters in a tune event that does not name them (tune-v1 §1 defaults: batch 4, lr 0.0005,
 * seed 1). */
export const SIM_TUNE = { batch: 4, lr: 0.0005, seed: 1 }

export interface TuneAtSite extends Evaluation {
  /** TuningRecord, then the child ModelCommitment. */
  tuning: DecodedRecord[]
  probe: { before: ProbeRates; after: ProbeRates }
  data: number
  trainCpuMs: number
}

/** A probe's rates on the model in `dir` (in process, one thread; onnxruntime unless `backend` is ts). */
async function probeRates(dir: string, probe: readonly SuiteItem[], backend: BackendName): Promise<ProbeRates> {
  const r = await suiteRates(loadModel(dir), probe, backend === 'ts' ? 'ts' : 'ort')
  return { refusal: r.refusal, compliance: r.compliance }
}

/**
 * sovereign-tune (issue 14 item 7): the site scores `probe` (the red-team family's held-out split) on its model, reviews
 * and approves a received bundle (alignment-v1 §4), tunes from `from` on it (node/tune `tune`: approved bundles only,
 * TS trainer, ledger, TuningRecord, child commitment), scores the probe again on the tuned weights (its state store's
 * current model directory), runs the bundled suite on them and publishes the result.
 */
export async function tuneAtSite(node: SiteNode, site: string, from: string, bundle: string, params: TuneSettings, backend: BackendName,
  probe: readonly SuiteItem[], modelDir: string | undefined, log?: (line: string) => void): Promise<TuneAtSite> {
  const access = accessOf(node)
  const before = await probeRates(modelDir ?? await ensureBundledModel(), probe, backend)
  await decide(access, bundle, 'approve', 'jailbreak refusals and benign look-alikes reviewed by the red team', Date.now(), false)
  const t0 = Date.now(), c0 = process.cpuUsage()
  const steps = params.steps
  const tuned = await tune(access, { from, bundles: [bundle], params, now: Date.now(),
    onStep: (s, loss) => { if (s % 4 === 0 || s === steps) log?.(`${site}: tune step ${s}/${steps} loss ${loss.toFixed(4)}`) } })
  const cpu = process.cpuUsage(c0)
  const trainCpuMs = Math.round((cpu.user + cpu.system) / 1000)
  log?.(`${site}: tuned ${tuned.data} data × ${steps} steps of ${params.batch} in ${Date.now() - t0} ms (${trainCpuMs} ms CPU) → ${tuned.commitment.id}`)
  const dir = openTune(access).states.modelDir
  const after = await probeRates(dir, probe, backend)
  const ev = await evaluateAtSite(node, site, backend, undefined, log, dir, tuned.commitment)
  return { ...ev, tuning: [tuned.tuning, tuned.commitment], probe: { before, after }, data: tuned.data, trainCpuMs }
}

/** tune-v1 §3.1 at a peer: the lineage of a tuned result, from the records this site holds (no ledger, no replay). */
export async function lineageAtSite(node: SiteNode, result: string): Promise<boolean> {
  try {
    await verifyLineage(accessOf(node), result)
    return true
  } catch {
    return false
  }
}
