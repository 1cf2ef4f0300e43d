/**
 * The node's Prometheus metrics (prom-client). One registry per node, so several nodes in one process (tests,
 * simulations) do not mix their figures. Names carry their unit (`_seconds`, `_bytes`, `_total`), as Prometheus and
 * Lodestar's CONTRIBUTING ask. Pass `registry` to @libp2p/prometheus-metrics so libp2p's own metrics are served too.
 *
 * Served by GET /metrics on the local API (node/api/server.ts): bearer token required unless the site's config sets
 * `api.metricsPublic: true`.
 */
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client'

export type ValidationLabels = 'topic' | 'action' | 'code'

export interface NodeMetrics {
  registry: Registry
  /** Outcomes of the door (node/records), by gossip topic or entrance (`sync`, `hello`, `api`, `import`, `local`, `placed`), action and code. */
  validationOutcomes: Counter<ValidationLabels>
  /** Records written to the store, by record type. */
  recordsStored: Counter<'type'>
  /** Records currently in the store. */
  recordsInStore: Gauge
  /** Duration of one synced store batch (read checks + write + fsync), seconds. */
  storeWriteSeconds: Histogram
  /** Operations per synced store batch (group-commit size). */
  storeBatchRecords: Histogram
  /** Requests to the local API, by route and HTTP status. */
  apiRequests: Counter<'route' | 'status'>
  /** Connected peers that passed the hello handshake (federation members). */
  peersAdmitted: Gauge
}

export const METRIC_NAMES = {
  validationOutcomes: 'aip_validation_outcomes_total',
  recordsStored: 'aip_records_stored_total',
  recordsInStore: 'aip_records_in_store',
  storeWriteSeconds: 'aip_store_write_seconds',
  storeBatchRecords: 'aip_store_batch_records',
  apiRequests: 'aip_api_requests_total',
  peersAdmitted: 'aip_peers_admitted',
} as const

/** A fresh registry with the node's metrics; `defaults` adds Node process metrics (CPU, RSS, event loop lag). */
export function createMetrics(opts: { defaults?: boolean; labels?: Record<string, string> } = {}): NodeMetrics {
  const registry = new Registry()
  if (opts.labels) registry.setDefaultLabels(opts.labels)
  if (opts.defaults ?? true) collectDefaultMetrics({ register: registry })
  const registers = [registry]
  return {
    registry,
    validationOutcomes: new Counter({ name: METRIC_NAMES.validationOutcomes, help: 'Record validation outcomes by topic, action and code', labelNames: ['topic', 'action', 'code'], registers }),
    recordsStored: new Counter({ name: METRIC_NAMES.recordsStored, help: 'Records written to the store, by type', labelNames: ['type'], registers }),
    recordsInStore: new Gauge({ name: METRIC_NAMES.recordsInStore, help: 'Records currently in the store', registers }),
    storeWriteSeconds: new Histogram({ name: METRIC_NAMES.storeWriteSeconds, help: 'Duration of one synced store batch, seconds', buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1], registers }),
    storeBatchRecords: new Histogram({ name: METRIC_NAMES.storeBatchRecords, help: 'Operations per synced store batch (group commit)', buckets: [1, 2, 4, 8, 16, 32, 64, 128, 256], registers }),
    apiRequests: new Counter({ name: METRIC_NAMES.apiRequests, help: 'Local API requests by route and status', labelNames: ['route', 'status'], registers }),
    peersAdmitted: new Gauge({ name: METRIC_NAMES.peersAdmitted, help: 'Connected peers admitted by the hello handshake', registers }),
  }
}

/** Feeds a RecordStore's batches into the store metrics (call once after opening the store). */
export function observeStore(store: { onBatch: ((ops: number, seconds: number) => void) | undefined }, m: NodeMetrics): void {
  store.onBatch = (ops, seconds) => {
    m.storeBatchRecords.observe(ops)
    m.storeWriteSeconds.observe(seconds)
  }
}
