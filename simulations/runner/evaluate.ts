/**
 * Real evaluations for the federation demo: each site opens its own engine on its own model (a worker thread,
 * node/eval `openLocalEngine`), runs the bundled suite (`runBenchmark`), and publishes its signed ModelCommitment and
 * BenchmarkResult through its running node. Verification at another site uses only what that site holds: its trust
 * state, the bundled suite's items, the ModelCommitment record from its own store (node/eval `verifyResult`).
 */
import type { DecodedRecord } from '../../protocol/index.ts'
import { decodeRecord } from '../../protocol/index.ts'
import type { BackendName } from '../../kernels/index.ts'
import { infoToJson, openLocalEngine, findOrCreateCommitment, resolveSuite, runBenchmark, bundledSuite, verifyResult, loadTrust } from '../../node/index.ts'
import type { RecordAccess, SiteNode } from '../../node/index.ts'
import type { ResultRow } from '../run.ts'

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
    close: async () => {},
  }
}

export interface Evaluation {
  records: DecodedRecord[]
  row: Omit<ResultRow, 'verified_by'>
}

/** Runs the bundled suite at one site and publishes commitment + result. */
export async function evaluateAtSite(node: SiteNode, site: string, backend: BackendName, onProgress?: (done: number, total: number) => void,
  log?: (line: string) => void, modelDir?: string): Promise<Evaluation> {
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
    const commitment = await findOrCreateCommitment(access, local.commitment, now())
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
