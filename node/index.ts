/**
 * The public surface of node/ for the folders above it (simulations/, bench/): what it takes to create and run a
 * site, reach its records and evaluate its model. Inside node/ files import each other directly; from outside,
 * only this file (test/layout.test.ts). Entry points still import `node/polyfill.ts` first, on its own.
 *
 * @example
 * ```ts
 * import '../node/polyfill.ts'
 * import { startSiteNode, openRecords } from '../node/index.ts'
 * const node = await startSiteNode('sites/ch')            // the same node `aip start` runs
 * const access = await openRecords('sites/ch')           // through its API while it runs
 * for await (const r of access.list({ type: 'BenchmarkResult' })) console.log(r.id)
 * ```
 */
export { startSiteNode } from './site-node.ts'
export { AuditLog } from './audit/log.ts'
export { verifyLog } from './audit/verify-log.ts'
export type { TileSource, VerifyReport } from './audit/verify-log.ts'
export { auditResource } from './audit/serve.ts'
export { writeAuditConfig, DEFAULT_AUDIT_CONFIG } from './audit/config.ts'
export type { SiteNode, SiteNodeOptions } from './site-node.ts'
export * from './site/index.ts'
export * from './store/index.ts'
export { openRecords, openStore } from './records/access.ts'
export type { RecordAccess } from './records/access.ts'
export { RecordDoor, ADMIT_CODES, ValidationQueues } from './records/index.ts'
export type { AdmitCode, AdmitOutcome, DoorEvents, Source, StoredEvent } from './records/index.ts'
export { infoToJson } from './api/index.ts'
export type { PublishOutcome, RecordInfoJson } from './api/index.ts'
export { openLocalEngine } from './eval/local-engine.ts'
export { findOrCreateCommitment, resolveSuite, runBenchmark } from './eval/site-eval.ts'
export { bundledSuite } from './eval/suite-records.ts'
export type { SuiteItem } from './eval/suite.ts'
export { verifyResult } from './eval/verify-record.ts'
export { EgressMonitor, WeightIndex, loadWeightFiles } from './net/egress/index.ts'
export type { WeightFile } from './net/egress/index.ts'
export type { NetLog } from './net/log.ts'
export { TOPICS, TOPIC_FEDERATION, TOPIC_RESULTS, TOPIC_ALIGNMENT } from './net/topics.ts'
export { buildBundle } from './align/bundle.ts'
export { TS_EXEC_ARGV } from './runtime.ts'
export { boundHeapGrowth } from './memory.ts'
export { commitWeights } from './model/weights-root.ts'
export { commitGguf } from './model/gguf-root.ts'
export { exportGguf, writeGguf } from './model/gguf-export.ts'
export { openLlamaEngine } from './eval/llama-engine.ts'

// training data and the trained bundled model (specs/lasa.md §12)
export { buildCorpus, corpusLists, toExample } from './train/corpus.ts'
export { disjoint, suiteRates } from './train/suite-rates.ts'
export type { Rate, SuiteRates } from './train/suite-rates.ts'
export { TRAINED_CONFIG_JSON, TRAINED_DIR, trainedBundledModelDir } from './train/trained.ts'

// SovereignTune and alignment review (specs/tune-v1.md, specs/alignment-v1.md): the sovereign-tune scenario
export { tune, openTune } from './tune/service.ts'
export { verifyLineage } from './tune/verify.ts'
export { decide } from './align/service.ts'
