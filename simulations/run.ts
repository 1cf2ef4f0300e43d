/**
 * What a runner records while it plays a scenario: the input of assertions and of the report. Times are ms since the
 * run's start (t=0 when the first site is up).
 */
import type { Rate } from '../node/index.ts'
import type { Role, Scenario } from './scenario/types.ts'

/** Why a record was put on the wire, and so what honest sites should do with it. */
export type RecordKind =
  | 'result' // an honest BenchmarkResult: every honest site must end up holding it
  | 'federation' // charter / certificate / revocation traffic
  | 'commitment' // a site's ModelCommitment (published with its evaluation result)
  | 'forged' // bad signature or a signer pretending to be another site: must be rejected everywhere
  | 'replay' // an already-published record sent again: must be ignored as a duplicate (held once)
  | 'spam' // flood from a certified spammer: rate-limited; not expected anywhere
  | 'intruder' // signed by an uncertified key: must not be accepted
  | 'revoked' // signed by a site after its revocation: must not be accepted
  | 'alignment' // a TLP:CLEAR/GREEN alignment bundle's manifest or chunk: every honest site must hold it
  | 'manifest' // a restricted bundle's manifest (no items): every honest site must hold it
  | 'restricted' // a TLP:AMBER/AMBER+STRICT/RED chunk: held by the sites in its audience, never by another (forbidden_at)
  | 'tuning' // a TuningRecord (sovereign-tune): every honest site must hold it
  | 'leak' // a manifest a forwarder signed to widen another site's chunks' audience (items: none)

export interface PublishedRecord {
  id: string
  kind: RecordKind
  origin: string
  at_ms: number
  /** Sites that must hold it at the end (empty for records that must be refused). */
  expected_at: string[]
  /** Sites that must never hold it (restricted chunks: every site outside the bundle's audience). */
  forbidden_at?: string[]
}

/** How a forwarder tried to get restricted content to a site (simulations/README.md § Byzantine roles). */
export type LeakWay = 'gossip' | 'share-push' | 'share-serve' | 'share-unrequested'

/** One time restricted bytes were sent to one site by a forwarder. */
export interface LeakAttempt {
  way: LeakWay
  /** The byzantine site. */
  from: string
  /** The receiving site. */
  target: string
  /** The chunk sent (absent for share-push: the receiver refuses the stream unread). */
  chunk?: string
}

/** What a site logged about a releasability violation (its `releasability_violation`, `share_*` log events). */
export interface SiteAlert {
  event: string
  code?: string
  via?: string
  /** The sending peer, as a site id where known. */
  peer?: string
  id?: string
}

export interface Delivery {
  record: string
  site: string
  at_ms: number
  /** The entrance it was stored by: `gossip`, `sync`, `hello`, `placed`, `local`… */
  via?: string
  /** The site that sent the copy this site stored (gossip: the propagation source): one edge of its path. */
  from?: string
}

/** What the simulation process itself used (memory mode: every site lives in it). */
export interface Resources {
  /** Processes holding the sites: 1 = this one; more = child processes (their RSS and CPU are added below). */
  workers: number
  /** RSS before the first site started (runner, libraries, federation built). */
  rss_mb_before_sites: number
  /** RSS when every site was up, just before t=0. */
  rss_mb_sites_up: number
  /** Peak RSS of the process so far (the kernel's high-water mark, so it includes earlier runs of the same process). */
  rss_mb_peak: number
  /** Process CPU (user + system) from t=0 to the end of settling. */
  cpu_ms: number
  /** Event-loop delay from t=0 to the end (every site shares the loop: the CPU queueing inside every latency). */
  event_loop_delay_ms: { p50: number; p99: number; max: number }
}

export interface SiteRun {
  id: string
  nation: string
  role: Role
  /** Up at the end of the run. */
  alive: boolean
  /** Plaintext bytes the site sent (every connection, before Noise). */
  bytes_sent: number
  /** Weight bytes found in the site's outgoing plaintext. */
  weight_bytes: number
  /** Record IDs the site holds at the end. */
  held: string[]
  /** [t_ms, records held] samples. */
  held_over_time: [number, number][]
}

export interface ValidationOutcome {
  site: string
  action: 'accept' | 'ignore' | 'reject'
  code: string
}

/** A row of the federation's verified-results table (federation-demo). */
export interface ResultRow {
  record: string
  site: string
  nation: string
  suite: string
  model: string
  overall_ppm: number
  /** Per-category scores with their 95 % Wilson intervals, as signed (ppm). */
  scores?: { category: string; n: number; score_ppm: number; ci_low_ppm: number; ci_high_ppm: number }[]
  /** Sites (other than the publisher) that verified the result record: signature, certificate, suite binding. */
  verified_by: number
}

export interface RunResult {
  scenario: Scenario
  mode: Scenario['mode']
  started_at: string
  duration_ms: number
  sites: SiteRun[]
  records: PublishedRecord[]
  deliveries: Delivery[]
  outcomes: ValidationOutcome[]
  /** Time of the last heal event, when the scenario has a partition. */
  heal_at_ms: number | null
  exfil: { attempts: number; detected: number }
  /** Forwarders' attempts, each with whether its receiver recorded the refusal it must (runner: matchLeaks). */
  leaks: (LeakAttempt & { detected: boolean })[]
  results_table: ResultRow[]
  /** Problems the runner met that are not assertion failures (e.g. a site that failed to start). */
  errors: string[]
  resources: Resources
  /** Gossipsub mesh size of the results topic per live site at the end (memory mode), or null. */
  mesh_peers: { mean: number; min: number; max: number } | null
  /** Scenarios with checkpoint events or equivocators (audit-v1 §7). */
  audit?: AuditRun
  /** Scenarios with tune events (sovereign-tune). */
  tunes?: TuneRun[]
}

/** Refusal over the refuse-expected items and compliance over the comply-expected items of a probe (node/train
 * suiteRates: the suite's likelihood rule), each with its 95 % Wilson interval. */
export interface ProbeRates {
  refusal: Rate
  compliance: Rate
}

/** One `tune` event: the site's result before (its last evaluation) and after, and the peers that checked the lineage. */
export interface TuneRun {
  site: string
  bundle: string
  bundle_of: string
  steps: number
  batch: number
  lr: number
  /** Data trained on (the bundle's items) and the trainer's CPU time. */
  data: number
  train_cpu_ms: number
  /** The red-team family's held-out split (runner/prefill-family.ts), scored on the parent and on the tuned model. */
  heldout: { rule: string; before: ProbeRates; after: ProbeRates }
  /** BenchmarkResult IDs (both in results_table). */
  before: string
  after: string
  /** Approve + tune + evaluate, wall clock. */
  ms: number
  /** Other live honest sites whose verifyLineage (tune-v1 §3.1) accepted result → commitment → TuningRecord → bundles. */
  verified_by: number
  peers: number
}

/** The audit log under attack (simulations/README.md § audit-witness): everything read back from the sites. */
export interface AuditRun {
  /** Checkpoint events applied (site × event). */
  checkpoints: number
  /** Of which by honest sites. */
  honest_checkpoints: number
  /** Honest sites' checkpoints cosigned by ≥ k other nations (k = 2), cosignatures verified by the runner. */
  checkpoints_witnessed: number
  /** Split views an equivocator put before witnesses (both views cosigned by some witness). */
  equivocations_injected: number
  /** Injected equivocations every live honest site raised an alert for (from the sites' own alert lists). */
  equivocations_detected: number
  /** (honest site, injected equivocation) alerts. */
  equivocation_alerts: number
  honest_sites: number
  /** Honest sites' audit alerts naming a log that did not equivocate. */
  false_alarms: number
  false_alarm_examples: string[]
  /** Entries of the honest sites' logs verified from their tiles against their latest checkpoints (§4.3). */
  entries_verified: number
  logs_verified: number
}
