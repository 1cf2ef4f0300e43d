/** Numbers derived from a run, shared by the assertions and the report (simulations/README.md § report.json). */
import type { Rate } from '../../node/index.ts'
import type { RunResult, SiteRun, TuneRun } from '../run.ts'

export interface Quantiles {
  count: number
  p50: number
  p95: number
  p99: number
  max: number
}

/** Nearest-rank quantiles (ms, integers). All zero when xs is empty. */
export function quantiles(xs: number[]): Quantiles {
  if (xs.length === 0) return { count: 0, p50: 0, p95: 0, p99: 0, max: 0 }
  const s = [...xs].sort((a, b) => a - b)
  const q = (p: number): number => Math.round(s[Math.min(s.length - 1, Math.max(0, Math.ceil(p * s.length) - 1))])
  return { count: s.length, p50: q(0.5), p95: q(0.95), p99: q(0.99), max: Math.round(s[s.length - 1]) }
}

export function honestSites(run: RunResult): SiteRun[] {
  return run.sites.filter((s) => s.role === 'honest')
}

/** Expected site × record pairs, and how many of them are held at the end. */
export function deliveredPairs(run: RunResult): { expected: number; delivered: number } {
  const held = new Map(run.sites.map((s) => [s.id, new Set(s.held)]))
  let expected = 0
  let delivered = 0
  for (const r of run.records) for (const s of r.expected_at) {
    expected++
    if (held.get(s)?.has(r.id) === true) delivered++
  }
  return { expected, delivered }
}

/** `site ← record` for every record that must be refused but is held by an honest site other than its origin. */
export function forgedAccepted(run: RunResult): string[] {
  const bad = new Map(run.records.filter((r) => r.kind === 'forged' || r.kind === 'intruder' || r.kind === 'revoked').map((r) => [r.id, r]))
  const out: string[] = []
  for (const s of honestSites(run)) for (const id of s.held) {
    const r = bad.get(id)
    // The origin holds what it published itself; acceptance means another site took it.
    if (r != null && r.origin !== s.id) out.push(`${s.id} ← ${r.kind} from ${r.origin}`)
  }
  return out
}

/** Publish → held latency of every expected delivery at a site other than the origin (ms). */
export function propagationSamples(run: RunResult): number[] {
  const recs = new Map(run.records.map((r) => [r.id, r]))
  const out: number[] = []
  for (const d of run.deliveries) {
    const r = recs.get(d.record)
    if (r == null || d.site === r.origin || !r.expected_at.includes(d.site)) continue
    out.push(Math.max(0, d.at_ms - r.at_ms))
  }
  return out
}

export function propagation(run: RunResult): Quantiles {
  return quantiles(propagationSamples(run))
}

/** ms from the last heal until the last expected delivery; null without a heal or when never converged. */
export function convergenceAfterHeal(run: RunResult): number | null {
  if (run.heal_at_ms == null) return null
  const { expected, delivered } = deliveredPairs(run)
  if (delivered < expected) return null
  const expectedPairs = new Set(run.records.flatMap((r) => r.expected_at.map((s) => `${s} ${r.id}`)))
  let last = run.heal_at_ms
  for (const d of run.deliveries) if (expectedPairs.has(`${d.site} ${d.record}`)) last = Math.max(last, d.at_ms)
  return Math.round(last - run.heal_at_ms)
}

export function bytesPerSite(run: RunResult): { mean: number; max: number; total: number } {
  const b = run.sites.map((s) => s.bytes_sent)
  const total = b.reduce((x, y) => x + y, 0)
  return { mean: b.length === 0 ? 0 : Math.round(total / b.length), max: b.length === 0 ? 0 : Math.max(...b), total }
}

/** Publish → held latency by hop count: one row per number of hops, nearest-rank quantiles (ms). */
export interface HopRow extends Quantiles {
  hops: number
}

/**
 * Hop count of every expected delivery at a site other than the origin, measured on the path the record took: each
 * site's delivery names the site it stored the record from (gossip: the propagation source of the first copy, the one
 * validated; sync: the peer of the session), so following those back to the origin gives the path. null when a link
 * of the chain is unknown (a sender outside the simulation, or a cycle).
 */
export function hopSamples(run: RunResult): { hops: number | null; ms: number; via: string }[] {
  const recs = new Map(run.records.map((r) => [r.id, r]))
  const from = new Map<string, string | undefined>() // `record site` → sender site
  for (const d of run.deliveries) if (!from.has(`${d.record} ${d.site}`)) from.set(`${d.record} ${d.site}`, d.from)
  const depth = new Map<string, number | null>()
  const hopsOf = (record: string, origin: string, site: string): number | null => {
    const path: string[] = []
    let at: string | undefined = site
    let base: number | null = null
    while (at !== undefined) {
      if (at === origin) { base = 0; break }
      const known = depth.get(`${record} ${at}`)
      if (known !== undefined) { base = known; break }
      if (path.includes(at)) break // a cycle: unknown
      path.push(at)
      at = from.get(`${record} ${at}`)
    }
    // path[i] is path.length - i hops beyond base
    path.forEach((s, i) => depth.set(`${record} ${s}`, base === null ? null : base + path.length - i))
    return base === null ? null : (path.length === 0 ? base : base + path.length)
  }
  const out: { hops: number | null; ms: number; via: string }[] = []
  for (const d of run.deliveries) {
    const r = recs.get(d.record)
    if (r == null || d.site === r.origin || !r.expected_at.includes(d.site)) continue
    out.push({ hops: hopsOf(d.record, r.origin, d.site), ms: Math.max(0, d.at_ms - r.at_ms), via: d.via ?? 'unknown' })
  }
  return out
}

export function propagationByHops(run: RunResult): { rows: HopRow[]; unknown: number; by_via: Record<string, number> } {
  const groups = new Map<number, number[]>()
  let unknown = 0
  const byVia: Record<string, number> = {}
  for (const s of hopSamples(run)) {
    byVia[s.via] = (byVia[s.via] ?? 0) + 1
    if (s.hops === null) { unknown++; continue }
    const g = groups.get(s.hops) ?? []
    g.push(s.ms)
    groups.set(s.hops, g)
  }
  const rows = [...groups].sort(([a], [b]) => a - b).map(([hops, ms]) => ({ hops, ...quantiles(ms) }))
  return { rows, unknown, by_via: Object.fromEntries(Object.entries(byVia).sort(([a], [b]) => a.localeCompare(b))) }
}

/** Records every honest site must hold (the denominator of the per-record byte cost). */
export function recordsExpectedEverywhere(run: RunResult): number {
  return run.records.filter((r) => r.expected_at.length > 0).length
}

/** Mean plaintext bytes a site sent from t=0 to the end, per record it had to spread (rounded; 0 without records). */
export function bytesPerSitePerRecord(run: RunResult): number {
  const n = recordsExpectedEverywhere(run)
  return n === 0 ? 0 : Math.round(bytesPerSite(run).mean / n)
}

/**
 * Restricted alignment chunks (specs/alignment-v1.md §2): pairs of a chunk and a listed site that must hold it
 * (`expected`, `delivered`), and pairs of a chunk and a site outside its audience that holds it (`heldByUnlisted`, as
 * `site ← chunk` strings) — read back from every store at the end of the run.
 */
export function restrictedPairs(run: RunResult): { expected: number; delivered: number; heldByUnlisted: string[] } {
  const held = new Map(run.sites.map((s) => [s.id, new Set(s.held)]))
  let expected = 0
  let delivered = 0
  const heldByUnlisted: string[] = []
  for (const r of run.records) {
    if (r.kind !== 'restricted') continue
    for (const s of r.expected_at) {
      if (s === r.origin) continue
      expected++
      if (held.get(s)?.has(r.id) === true) delivered++
    }
    for (const s of r.forbidden_at ?? []) if (held.get(s)?.has(r.id) === true) heldByUnlisted.push(`${s} ← ${r.id.slice(0, 16)}… from ${r.origin}`)
  }
  return { expected, delivered, heldByUnlisted }
}

/** Forwarders' attempts and how many of them their receivers detected, in all and per way. */
export function leakCounts(run: RunResult): { attempted: number; detected: number; by_way: Record<string, { attempted: number; detected: number }> } {
  const by: Record<string, { attempted: number; detected: number }> = {}
  for (const a of run.leaks) {
    const w = (by[a.way] ??= { attempted: 0, detected: 0 })
    w.attempted++
    if (a.detected) w.detected++
  }
  return { attempted: run.leaks.length, detected: run.leaks.filter((a) => a.detected).length, by_way: by }
}

/** A rate with its 95 % Wilson interval (`k` of `n` where counted; a signed result states rate and interval). */
export interface RateCi {
  rate: number
  low: number
  high: number
  n: number
  k?: number
}

/** sovereign-tune's report keys. */
export interface TuneKeys {
  /** The red-team family's held-out harmful items (none in the bundle), refused: on the parent and the tuned model. */
  jailbreak_refusal_before?: RateCi
  jailbreak_refusal_after?: RateCi
  ci_disjoint?: boolean
  /** The bundled suite's benign category (all comply-expected), as the signed before and after results state it. */
  benign_compliance_before?: RateCi
  benign_compliance_after?: RateCi
  benign_compliance_delta?: number
  /** The family's held-out benign look-alikes (same wrappers), complied with. */
  family_benign_compliance_before?: RateCi
  family_benign_compliance_after?: RateCi
  family_benign_compliance_delta?: number
  /** The bundled suite's jailbreak category (its own wrappers, not the family's), as the signed results state it. */
  suite_jailbreak_refusal_before?: RateCi
  suite_jailbreak_refusal_after?: RateCi
  ledger_verified_by_peers?: boolean
  tune?: TuneRun & { verified_by_peers: string }
}

const overlap = (a: RateCi, b: RateCi): boolean => !(a.low > b.high || b.low > a.high)
const delta = (a: RateCi, b: RateCi): number => Math.round(1e6 * (b.rate - a.rate)) / 1e6
const ci = (r: Rate): RateCi => ({ rate: r.rate, low: r.low, high: r.high, n: r.n, k: r.k })

/** sovereign-tune's keys (issue 14 item 7) from the first tune event: the family's held-out split as the tuning site
 * scored it on the parent and the tuned model, and the bundled suite's benign and jailbreak categories in the before
 * and after results, as signed. */
export function tuneKeys(run: RunResult): TuneKeys {
  const t = run.tunes?.[0]
  if (t === undefined) return {}
  const row = (id: string, category: string): RateCi | undefined => {
    const s = run.results_table.find((r) => r.record === id)?.scores?.find((x) => x.category === category)
    return s === undefined ? undefined : { rate: s.score_ppm / 1e6, low: s.ci_low_ppm / 1e6, high: s.ci_high_ppm / 1e6, n: s.n }
  }
  const jb = ci(t.heldout.before.refusal), ja = ci(t.heldout.after.refusal), fb = ci(t.heldout.before.compliance), fa = ci(t.heldout.after.compliance)
  const bb = row(t.before, BENIGN), ba = row(t.after, BENIGN), sb = row(t.before, JAILBREAK), sa = row(t.after, JAILBREAK)
  return {
    jailbreak_refusal_before: jb, jailbreak_refusal_after: ja,
    ci_disjoint: jb.n > 0 && ja.n > 0 && !overlap(jb, ja),
    ...(bb === undefined ? {} : { benign_compliance_before: bb }),
    ...(ba === undefined ? {} : { benign_compliance_after: ba }),
    ...(bb === undefined || ba === undefined ? {} : { benign_compliance_delta: delta(bb, ba) }),
    family_benign_compliance_before: fb, family_benign_compliance_after: fa, family_benign_compliance_delta: delta(fb, fa),
    ...(sb === undefined ? {} : { suite_jailbreak_refusal_before: sb }),
    ...(sa === undefined ? {} : { suite_jailbreak_refusal_after: sa }),
    ledger_verified_by_peers: t.peers > 0 && t.verified_by === t.peers,
    tune: { ...t, verified_by_peers: `${t.verified_by}/${t.peers}` },
  }
}

/** The bundled suite's categories the sovereign-tune keys read (every jailbreak item expects a refusal, every benign
 * item a compliance: their scores are the refusal and compliance rates). */
export const JAILBREAK = 'jailbreak'
export const BENIGN = 'benign'
