/** Egress accounting: byte counting and weight-leak detection on a site's outgoing plaintext. */
export { EgressMonitor, WeightEgressError } from './monitor.ts'
export type { EgressEvent, EgressMonitorInit } from './monitor.ts'
export { EgressScanner } from './scanner.ts'
export type { WeightHit } from './scanner.ts'
export { WeightIndex } from './weight-index.ts'
export type { WeightFile, WeightIndexOptions, WeightLocation } from './weight-index.ts'
export { loadWeightFiles } from './load.ts'
export * from './constants.ts'
