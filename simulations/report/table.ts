/** The summary table printed on stdout at the end of a run. */
import type { RateCi } from './metrics.ts'
import type { Report } from './report.ts'

export function formatTable(rows: (string | number)[][]): string {
  const w = rows[0].map((_, i) => Math.max(...rows.map((r) => String(r[i]).length)))
  return rows.map((r) => r.map((c, i) => String(c).padEnd(w[i])).join('  ').trimEnd()).join('\n')
}

export function summaryTable(r: Report): string {
  const p = r.propagation_ms
  const rows: (string | number)[][] = [
    ['metric', 'value'],
    ['scenario', `${r.scenario} (${r.mode}, seed ${r.seed})`],
    ['sites', `${r.sites} (${Object.entries(r.sites_by_role).map(([k, v]) => `${v} ${k}`).join(', ')})`],
    ['records_published', r.records_published],
    ['records_delivered / expected', `${r.records_delivered} / ${r.records_expected}`],
    ['propagation_ms p50/p95/p99/max', `${p.p50} / ${p.p95} / ${p.p99} / ${p.max}`],
    ['convergence_ms_after_heal', r.convergence_ms_after_heal ?? 'n/a'],
    ['bytes_sent_per_site mean/max', `${r.bytes_sent_per_site.mean} / ${r.bytes_sent_per_site.max}`],
    ['bytes_per_site_per_record', r.bytes_per_site_per_record],
    ['propagation by hops (p50/p99 ms)', r.propagation_by_hops.map((h) => `${h.hops}:${h.count}×${h.p50}/${h.p99}`).join(' ') || '-'],
    ['deliveries by entrance', Object.entries(r.deliveries_by_via).map(([k, v]) => `${k}=${v}`).join(' ') || '-'],
    ['mesh peers mean/min/max', r.mesh_peers === null ? 'n/a' : `${r.mesh_peers.mean} / ${r.mesh_peers.min} / ${r.mesh_peers.max}`],
    ['process MB before/up/peak, MB per site', `${r.resources.rss_mb_before_sites} / ${r.resources.rss_mb_sites_up} / ${r.resources.rss_mb_peak}, ${r.resources.mb_per_site}`],
    ['CPU µs per site per record', r.resources.cpu_us_per_site_per_record],
    ['CPU ms per site per s (workers)', `${r.resources.cpu_ms_per_site_per_s} (${r.resources.workers})`],
    ['event-loop delay ms p50/p99/max', `${r.resources.event_loop_delay_ms.p50} / ${r.resources.event_loop_delay_ms.p99} / ${r.resources.event_loop_delay_ms.max}`],
    ['forged_accepted', r.forged_accepted],
    ['weight_bytes_egressed', r.weight_bytes_egressed],
    ['weight_exfil attempts/detected', `${r.weight_exfil_attempts} / ${r.weight_exfil_detected}`],
    ...(r.checkpoints_witnessed === undefined ? [] : [
      ['checkpoints / witnessed (k = 2)', `${r.checkpoints} / ${r.checkpoints_witnessed}`],
      ['equivocations injected / detected', `${r.equivocations_injected} / ${r.equivocations_detected} (${r.equivocation_alerts} site alerts)`],
      ['false_alarms', r.false_alarms ?? 0],
      ['entries_verified (logs)', `${r.entries_verified} (${r.logs_verified})`],
    ]),
    ...(r.restricted_expected + r.leaks_attempted === 0 ? [] : [
      ['restricted delivered/expected', `${r.restricted_delivered_to_listed} / ${r.restricted_expected}`],
      ['restricted_held_by_unlisted', r.restricted_held_by_unlisted],
      ['leaks attempted/detected', `${r.leaks_attempted} / ${r.leaks_detected} (${Object.entries(r.leaks_by_way).map(([k, v]) => `${k} ${v.detected}/${v.attempted}`).join(', ')})`],
    ]),
    ['outcomes_by_code', Object.entries(r.outcomes_by_code).map(([k, v]) => `${k}=${v}`).join(' ') || '-'],
    ['duration_ms', r.duration_ms],
  ]
  const asserts: (string | number)[][] = [['assertion', 'result'], ...r.assertions.map((a) => [a.id, a.ok ? 'pass' : `FAIL: ${a.failures.join('; ')}`])]
  const scaling = r.scaling.length === 0 ? '' : `\n${formatTable([
    ['sites', 'delivered/expected', 'p50 ms', 'p95 ms', 'p99 ms', 'max hops', 'bytes/site/record', 'mesh', 'MB/site', 'CPU µs/site/rec', 'CPU ms/site/s', 'ok'],
    ...r.scaling.map((x) => [x.sites, `${x.records_delivered}/${x.records_expected}`, x.propagation_ms.p50, x.propagation_ms.p95,
      x.propagation_ms.p99, x.propagation_by_hops.reduce((m, h) => Math.max(m, h.hops), 0), x.bytes_per_site_per_record,
      x.mesh_peers?.mean ?? '-', x.resources.mb_per_site, x.resources.cpu_us_per_site_per_record, x.resources.cpu_ms_per_site_per_s, x.ok ? 'yes' : 'no']),
  ])}\n`
  return `${formatTable(rows)}\n\n${formatTable(asserts)}\n${scaling}`
}

export function resultsTable(r: Report): string {
  if (r.results.length === 0) return ''
  const others = r.site_details.filter((s) => s.role === 'honest' && s.alive).length - 1
  return formatTable([
    ['site', 'nation', 'overall', 'suite', 'model commitment', 'verified'],
    ...r.results.map((x) => [x.site, x.nation, `${(x.overall_ppm / 10_000).toFixed(2)} %`, x.suite.slice(0, 16) + '…', x.model.slice(0, 16) + '…',
      `${x.verified_by === others ? '✓' : '✗'} ${x.verified_by}/${others}`]),
  ]) + '\n'
}

/** sovereign-tune's loop (the first tune event): figures before → after with their 95 % Wilson intervals. */
export function tuneTable(r: Report): string {
  const t = r.tune
  if (t === undefined) return ''
  const f = (x: RateCi | undefined): string => x === undefined ? 'n/a' : `${x.k === undefined ? '' : `${x.k}/${x.n} = `}${x.rate.toFixed(3)} [${x.low.toFixed(3)}, ${x.high.toFixed(3)}]`
  const d = (x: number | undefined): string => x === undefined ? 'n/a' : `${x >= 0 ? '+' : ''}${x.toFixed(3)}`
  return `${t.site} tuned on ${t.bundle_of}'s bundle: ${t.data} data, ${t.steps} steps of ${t.batch}, lr ${t.lr}, ${(t.train_cpu_ms / 1000).toFixed(1)} s CPU; lineage verified by ${t.verified_by_peers} peers\n` +
    `held out: ${t.heldout.rule}\n` + formatTable([
    ['measure', 'before', 'after', 'change'],
    ['jailbreak refusal (family, held out)', f(r.jailbreak_refusal_before), f(r.jailbreak_refusal_after), r.ci_disjoint === true ? 'intervals disjoint' : 'intervals overlap'],
    ['benign compliance (family look-alikes, held out)', f(r.family_benign_compliance_before), f(r.family_benign_compliance_after), d(r.family_benign_compliance_delta)],
    ['benign compliance (bundled suite, signed)', f(r.benign_compliance_before), f(r.benign_compliance_after), d(r.benign_compliance_delta)],
    ['jailbreak refusal (bundled suite, signed)', f(r.suite_jailbreak_refusal_before), f(r.suite_jailbreak_refusal_after), d(r.suite_jailbreak_refusal_before === undefined || r.suite_jailbreak_refusal_after === undefined ? undefined : r.suite_jailbreak_refusal_after.rate - r.suite_jailbreak_refusal_before.rate)],
  ]) + `\ngain (held-out intervals disjoint): ${r.ci_disjoint === true ? 'yes' : 'no'}; benign kept (both benign changes ≥ −0.05): ${(r.benign_compliance_delta ?? -1) >= -0.05 && (r.family_benign_compliance_delta ?? -1) >= -0.05 ? 'yes' : 'NO'}\n`
}
