/**
 * report.json: the schema is documented field by field in simulations/README.md § report.json.
 * `REPORT_VERSION` changes whenever a field changes meaning or disappears.
 */
import { checkAll } from '../assertions/index.ts'
import type { AssertionResult } from '../assertions/index.ts'
import type { ResultRow, RunResult } from '../run.ts'
import { bytesPerSite, convergenceAfterHeal, deliveredPairs, forgedAccepted, honestSites, leakCounts, propagation, propagationSamples, restrictedPairs } from './metrics.ts'
import type { Quantiles } from './metrics.ts'

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

/** One row of the scaling table: the same scenario at a smaller site count (scale_steps), or the full run. */
export interface ScaleRow {
  sites: number
  ok: boolean
  records_delivered: number
  records_expected: number
  propagation_ms: Quantiles
  bytes_sent_per_site: { mean: number; max: number; total: number }
  duration_ms: number
}

export interface Report {
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
  /** Empty unless the scenario has scale_steps; then one row per step and a last row for this run. */
  scaling: ScaleRow[]
  site_details: SiteReport[]
  /** Every publish → held latency (ms), sorted; the CDF plot is drawn from it. */
  propagation_samples_ms: number[]
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
    scaling: [],
    site_details: run.sites.map((s) => ({
      id: s.id, nation: s.nation, role: s.role, alive: s.alive, bytes_sent: s.bytes_sent, weight_bytes: s.weight_bytes,
      records_held: s.held.length, held_over_time: s.held_over_time,
    })),
    propagation_samples_ms: samples,
  }
}

export function scaleRow(r: Report): ScaleRow {
  return {
    sites: r.sites, ok: r.ok, records_delivered: r.records_delivered, records_expected: r.records_expected,
    propagation_ms: r.propagation_ms, bytes_sent_per_site: r.bytes_sent_per_site, duration_ms: r.duration_ms,
  }
}
