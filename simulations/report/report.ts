/**
 * report.json: the schema is documented field by field in simulations/README.md § report.json.
 * `REPORT_VERSION` changes whenever a field changes meaning or disappears.
 */
import { checkAll } from '../assertions/index.ts'
import type { AssertionResult } from '../assertions/index.ts'
import type { Resources, ResultRow, RunResult } from '../run.ts'
import type { TuneKeys } from './metrics.ts'
import {
  tuneKeys,
  bytesPerSite, bytesPerSitePerRecord, convergenceAfterHeal, deliveredPairs, forgedAccepted, honestSites, propagation, propagationByHops,
  leakCounts, propagationSamples, recordsExpectedEverywhere, restrictedPairs,
} from './metrics.ts'
import type { HopRow, Quantiles } from './metrics.ts'

export const REPORT_VERSION = 1

export interface SiteReport {
  id: string
  nation: string
  role: string
  alive: boolean
  bytes_sent: number
  weight_bytes: number
  records_held: number
  held_over_time: [number, number][]
}

/** What the run cost the simulation process (memory mode: all sites), and per site / per record. */
export interface ResourceReport extends Resources {
  /** (rss_mb_sites_up − rss_mb_before_sites) / sites. */
  mb_per_site: number
  /** cpu_ms / (sites × records to spread), µs: what one site spent per record, everything included. */
  cpu_us_per_site_per_record: number
  /** cpu_ms / sites / duration in s: a site's CPU per second of the run (background work and records together). */
  cpu_ms_per_site_per_s: number
}

/** One row of the scaling table: the same scenario at a smaller site count (scale_steps), or the full run. */
export interface ScaleRow {
  sites: number
  edges: number
  ok: boolean
  records_delivered: number
  records_expected: number
  /** Records every site had to end up holding (the per-record denominator). */
  records: number
  propagation_ms: Quantiles
  propagation_by_hops: HopRow[]
  hops_unknown: number
  deliveries_by_via: Record<string, number>
  bytes_sent_per_site: { mean: number; max: number; total: number }
  bytes_per_site_per_record: number
  mesh_peers: { mean: number; min: number; max: number } | null
  resources: ResourceReport
  duration_ms: number
}

/** With scale_steps: the figures the issue asks for, by federation size. */
export interface ScaleSummary {
  /** Sum over every size of the site × record pairs held at the end, and of those expected. */
  delivered: number
  expected: number
  /** Federation size → mean bytes sent per site per record. */
  bytes_per_site_per_record: Record<string, number>
  /** Size ≥ FLAT_FROM_SITES → bytes_per_site_per_record ÷ that of the smallest such size (goal: 0.8–1.2). */
  bytes_per_site_per_record_ratio: Record<string, number>
  /** Every ratio within ±FLAT_TOLERANCE (null with fewer than two sizes ≥ FLAT_FROM_SITES). */
  bytes_per_site_per_record_flat: boolean | null
  /** Federation size → MB of the simulation process per site, measured. */
  mb_per_site: Record<string, number>
  /** cpu_ms_per_site_per_s by size. */
  cpu_ms_per_site_per_s: Record<string, number>
  /** Federation size → largest hop count measured. */
  max_hops: Record<string, number>
}

/** Scenarios with tune events (sovereign-tune) add the first tune event's figures at the top level (TuneKeys). */
export interface Report extends TuneKeys {
  report_version: number
  scenario: string
  description: string
  seed: number
  mode: string
  started_at: string
  duration_ms: number
  ok: boolean
  sites: number
  sites_by_role: Record<string, number>
  edges: number
  records_published: number
  records_published_by_kind: Record<string, number>
  records_delivered: number
  records_expected: number
  outcomes_by_code: Record<string, number>
  outcomes_by_action: Record<string, number>
  propagation_ms: Quantiles
  convergence_ms_after_heal: number | null
  bytes_sent_per_site: { mean: number; max: number; total: number }
  forged_accepted: number
  weight_bytes_egressed: number
  weight_exfil_attempts: number
  weight_exfil_detected: number
  /** Restricted alignment chunk × listed site (not its publisher) pairs that must be held at the end. */
  restricted_expected: number
  restricted_delivered_to_listed: number
  /** Restricted chunk × site outside its audience pairs held at the end (goal 0). */
  restricted_held_by_unlisted: number
  /** Times a forwarder sent restricted bytes to a site outside their audience, and how many its receiver detected. */
  leaks_attempted: number
  leaks_detected: number
  leaks_by_way: Record<string, { attempted: number; detected: number }>
  assertions: AssertionResult[]
  results: ResultRow[]
  errors: string[]
  /** Delivered-by-hop-count of every expected delivery (hop count measured along the path each record took). */
  propagation_by_hops: HopRow[]
  /** Expected deliveries whose path could not be followed back to the origin. */
  hops_unknown: number
  /** Expected deliveries by entrance: gossip, sync, … */
  deliveries_by_via: Record<string, number>
  bytes_per_site_per_record: number
  /** Results-topic mesh size per live site at the end (memory mode). */
  mesh_peers: { mean: number; min: number; max: number } | null
  resources: ResourceReport
  /** Empty unless the scenario has scale_steps; then one row per step and a last row for this run. */
  scaling: ScaleRow[]
  /** null unless the scenario has scale_steps. */
  scale_summary: ScaleSummary | null
  site_details: SiteReport[]
  /** Every publish → held latency (ms), sorted; the CDF plot is drawn from it. */
  propagation_samples_ms: number[]
  /** Scenarios with checkpoint events or equivocators (audit-witness): the audit keys, at the top level. */
  checkpoints?: number
  honest_checkpoints?: number
  checkpoints_witnessed?: number
  equivocations_injected?: number
  equivocations_detected?: number
  equivocation_alerts?: number
  false_alarms?: number
  false_alarm_examples?: string[]
  entries_verified?: number
  logs_verified?: number
}


function count<T>(xs: T[], key: (x: T) => string): Record<string, number> {
  const out: Record<string, number> = {}
  for (const x of xs) out[key(x)] = (out[key(x)] ?? 0) + 1
  return Object.fromEntries(Object.entries(out).sort(([a], [b]) => a.localeCompare(b)))
}

export function buildReport(run: RunResult): Report {
  const assertions = checkAll(run)
  const pairs = deliveredPairs(run)
  const samples = propagationSamples(run).map(Math.round).sort((a, b) => a - b)
  const hops = propagationByHops(run)
  const records = recordsExpectedEverywhere(run)
  const res = run.resources
  const restricted = restrictedPairs(run)
  const leaks = leakCounts(run)
  return {
    report_version: REPORT_VERSION,
    scenario: run.scenario.name,
    description: run.scenario.description,
    seed: run.scenario.seed,
    mode: run.mode,
    started_at: run.started_at,
    duration_ms: Math.round(run.duration_ms),
    ok: assertions.every((a) => a.ok),
    sites: run.sites.length,
    sites_by_role: count(run.sites, (s) => s.role),
    edges: run.scenario.edges.length,
    records_published: run.records.length,
    records_published_by_kind: count(run.records, (r) => r.kind),
    records_delivered: pairs.delivered,
    records_expected: pairs.expected,
    outcomes_by_code: count(run.outcomes, (o) => o.code),
    outcomes_by_action: count(run.outcomes, (o) => o.action),
    propagation_ms: propagation(run),
    convergence_ms_after_heal: convergenceAfterHeal(run),
    bytes_sent_per_site: bytesPerSite(run),
    forged_accepted: forgedAccepted(run).length,
    weight_bytes_egressed: honestSites(run).reduce((n, s) => n + s.weight_bytes, 0),
    weight_exfil_attempts: run.exfil.attempts,
    weight_exfil_detected: run.exfil.detected,
    restricted_expected: restricted.expected,
    restricted_delivered_to_listed: restricted.delivered,
    restricted_held_by_unlisted: restricted.heldByUnlisted.length,
    leaks_attempted: leaks.attempted,
    leaks_detected: leaks.detected,
    leaks_by_way: leaks.by_way,
    assertions,
    results: run.results_table,
    errors: run.errors,
    propagation_by_hops: hops.rows,
    hops_unknown: hops.unknown,
    deliveries_by_via: hops.by_via,
    bytes_per_site_per_record: bytesPerSitePerRecord(run),
    mesh_peers: run.mesh_peers,
    resources: {
      ...res,
      mb_per_site: run.sites.length === 0 ? 0 : Math.round((100 * (res.rss_mb_sites_up - res.rss_mb_before_sites)) / run.sites.length) / 100,
      cpu_us_per_site_per_record: run.sites.length === 0 || records === 0 ? 0 : Math.round((1000 * res.cpu_ms) / (run.sites.length * records)),
      cpu_ms_per_site_per_s: run.sites.length === 0 || run.duration_ms <= 0 ? 0 : Math.round((100 * res.cpu_ms) / (run.sites.length * (run.duration_ms / 1000))) / 100,
    },
    scaling: [],
    scale_summary: null,
    site_details: run.sites.map((s) => ({
      id: s.id, nation: s.nation, role: s.role, alive: s.alive, bytes_sent: s.bytes_sent, weight_bytes: s.weight_bytes,
      records_held: s.held.length, held_over_time: s.held_over_time,
    })),
    propagation_samples_ms: samples,
    ...(run.audit === undefined ? {} : (({ honest_sites: _, ...keys }) => keys)(run.audit)),
    ...tuneKeys(run),
  }
}

export function scaleRow(r: Report): ScaleRow {
  return {
    sites: r.sites, edges: r.edges, ok: r.ok, records_delivered: r.records_delivered, records_expected: r.records_expected,
    records: r.records_expected === 0 || r.sites === 0 ? 0 : Math.round(r.records_expected / r.sites),
    propagation_ms: r.propagation_ms, propagation_by_hops: r.propagation_by_hops, hops_unknown: r.hops_unknown,
    deliveries_by_via: r.deliveries_by_via, bytes_sent_per_site: r.bytes_sent_per_site, bytes_per_site_per_record: r.bytes_per_site_per_record,
    mesh_peers: r.mesh_peers, resources: r.resources, duration_ms: r.duration_ms,
  }
}

/** Sizes from which bytes per site per record must stay flat (issue 17: ±20 % from 100 to 1,000 sites). */
export const FLAT_FROM_SITES = 100
export const FLAT_TOLERANCE = 0.2

export function scaleSummary(rows: ScaleRow[]): ScaleSummary {
  const big = rows.filter((x) => x.sites >= FLAT_FROM_SITES)
  const ref = big[0]?.bytes_per_site_per_record ?? 0
  const ratio = Object.fromEntries(big.map((x) => [String(x.sites), ref === 0 ? 0 : Math.round((1000 * x.bytes_per_site_per_record) / ref) / 1000]))
  const by = <T>(f: (x: ScaleRow) => T): Record<string, T> => Object.fromEntries(rows.map((x) => [String(x.sites), f(x)]))
  return {
    delivered: rows.reduce((n, x) => n + x.records_delivered, 0),
    expected: rows.reduce((n, x) => n + x.records_expected, 0),
    bytes_per_site_per_record: by((x) => x.bytes_per_site_per_record),
    bytes_per_site_per_record_ratio: ratio,
    bytes_per_site_per_record_flat: big.length < 2 ? null : Object.values(ratio).every((v) => Math.abs(v - 1) <= FLAT_TOLERANCE),
    mb_per_site: by((x) => x.resources.mb_per_site),
    cpu_ms_per_site_per_s: by((x) => x.resources.cpu_ms_per_site_per_s),
    max_hops: by((x) => x.propagation_by_hops.reduce((m, h) => Math.max(m, h.hops), 0)),
  }
}
