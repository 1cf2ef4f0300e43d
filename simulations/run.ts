/**
 * What a runner records while it plays a scenario: the input of assertions and of the report. Times are ms since the
 * run's start (t=0 when the first site is up).
 */
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
}
