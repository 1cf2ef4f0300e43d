/** report.html: one self-contained page (inline CSS and SVG, no scripts, no external assets). */
import type { Report } from './report.ts'
import { barPlot, esc, intervalPlot, linePlot } from './svg.ts'
import type { Series } from './svg.ts'

export const ROLE_COLORS: Record<string, string> = {
  honest: '#1f77b4', forger: '#d62728', replayer: '#ff7f0e', spammer: '#9467bd', intruder: '#8c564b', exfiltrator: '#e377c2', equivocator: '#17becf', forwarder: '#bcbd22',
}

const MAX_HELD_LINES = 20

/** min / median / max of records held over all sites, at every sample time (a site counts its last sample ≤ t). */
function heldBands(r: Report): Series[] {
  const times = [...new Set(r.site_details.flatMap((s) => s.held_over_time.map((p) => p[0])))].sort((a, b) => a - b)
  const at = (series: [number, number][], t: number): number => {
    let v = 0
    for (const [x, y] of series) if (x <= t) v = y
    return v
  }
  const rows = times.map((t) => [t, r.site_details.map((s) => at(s.held_over_time, t)).sort((a, b) => a - b)] as [number, number[]])
  const pick = (f: (v: number[]) => number): [number, number][] => rows.map(([t, v]) => [t, f(v)])
  return [
    { label: 'max over sites', color: '#2ca02c', points: pick((v) => v[v.length - 1]) },
    { label: 'median', color: '#1f77b4', points: pick((v) => v[Math.floor(v.length / 2)]) },
    { label: 'min over sites', color: '#d62728', points: pick((v) => v[0]) },
  ]
}

function table(head: string[], rows: (string | number)[][]): string {
  return `<table><thead><tr>${head.map((h) => `<th>${esc(h)}</th>`).join('')}</tr></thead><tbody>${rows
    .map((r) => `<tr>${r.map((c) => `<td>${esc(String(c))}</td>`).join('')}</tr>`).join('')}</tbody></table>`
}

export function renderHtml(r: Report): string {
  const cdf: Series = {
    label: 'propagation',
    color: '#1f77b4',
    points: r.propagation_samples_ms.map((v, i) => [v, (i + 1) / r.propagation_samples_ms.length] as [number, number]),
  }
  // Up to MAX_HELD_LINES sites: one line each, coloured by role; more: min / median / max over the sites.
  const many = r.site_details.length > MAX_HELD_LINES
  const held: Series[] = many ? heldBands(r) : r.site_details.map((s) => ({ label: `${s.id} (${s.role})`, color: ROLE_COLORS[s.role] ?? '#333', points: s.held_over_time }))
  const roles = many ? held.map((x): [string, string] => [x.label, x.color]) : [...new Set(r.site_details.map((s) => s.role))].map((role): [string, string] => [role, ROLE_COLORS[role] ?? '#333'])
  const bytes = r.site_details.map((s) => ({ label: s.id, value: s.bytes_sent, color: ROLE_COLORS[s.role] ?? '#333' }))
  const summary: [string, string | number][] = [
    ['scenario', r.scenario], ['mode', r.mode], ['seed', r.seed], ['started', r.started_at], ['duration', `${r.duration_ms} ms`],
    ['sites', `${r.sites} (${Object.entries(r.sites_by_role).map(([k, v]) => `${v} ${k}`).join(', ')}), ${r.edges} links`],
    ['records published', `${r.records_published} (${Object.entries(r.records_published_by_kind).map(([k, v]) => `${v} ${k}`).join(', ')})`],
    ['site × record pairs held / expected', `${r.records_delivered} / ${r.records_expected}`],
    ['propagation p50 / p95 / p99 / max', `${r.propagation_ms.p50} / ${r.propagation_ms.p95} / ${r.propagation_ms.p99} / ${r.propagation_ms.max} ms (${r.propagation_ms.count} deliveries)`],
    ['convergence after heal', r.convergence_ms_after_heal == null ? '—' : `${r.convergence_ms_after_heal} ms`],
    ['bytes sent per site (mean / max)', `${r.bytes_sent_per_site.mean} / ${r.bytes_sent_per_site.max}`],
    ['forged records accepted by honest sites', r.forged_accepted],
    ['weight bytes egressed by honest sites', r.weight_bytes_egressed],
    ['weight exfiltration attempts / detected', `${r.weight_exfil_attempts} / ${r.weight_exfil_detected}`],
    ['restricted chunks delivered to listed / expected', `${r.restricted_delivered_to_listed} / ${r.restricted_expected}`],
    ['restricted chunks held outside their audience', `${r.restricted_held_by_unlisted}`],
    ['leak attempts / detected', `${r.leaks_attempted} / ${r.leaks_detected}`],
  ]
  const verdict = r.ok ? '<p class="ok">All assertions passed.</p>' : '<p class="fail">Some assertions failed.</p>'
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>AIP simulation — ${esc(r.scenario)}</title>
<style>
body{font:14px/1.45 system-ui,sans-serif;max-width:1000px;margin:2em auto;padding:0 1em;color:#222}
table{border-collapse:collapse;margin:.5em 0 1.5em}td,th{border:1px solid #ccc;padding:.25em .6em;text-align:left}
th{background:#f4f4f4}.ok{color:#080;font-weight:600}.fail{color:#b00;font-weight:600}figure{margin:1em 0}
figcaption{font-size:12px;color:#555}code{background:#f4f4f4;padding:0 .2em}
</style></head><body>
<h1>AIP simulation: ${esc(r.scenario)}</h1>
<p>${esc(r.description)}</p>
${verdict}
${table(['', ''], summary)}
<h2>Assertions</h2>
${table(['assertion', 'result', 'failures'], r.assertions.map((a) => [a.id, a.ok ? 'pass' : 'FAIL', a.failures.join('; ')]))}
${r.results.length > 0 ? `<h2>Verified results</h2>${table(['site', 'nation', 'suite', 'model', 'overall', 'verified by'], r.results.map((x) => [x.site, x.nation, x.suite.slice(0, 20) + '…', x.model.slice(0, 20) + '…', `${(x.overall_ppm / 10_000).toFixed(2)} %`, x.verified_by]))}
${r.results.filter((x) => x.scores !== undefined && x.scores.length > 0).map((x) => intervalPlot(`${x.site} (${x.nation}): per-category score and 95 % Wilson interval, overall ${(x.overall_ppm / 10_000).toFixed(2)} %`,
    x.scores!.map((s) => ({ label: s.category, score: s.score_ppm / 10_000, low: s.ci_low_ppm / 10_000, high: s.ci_high_ppm / 10_000 })), ROLE_COLORS.honest!, 'items as expected (%)')).join('\n')}` : ''}
${r.scaling.length > 0 ? `<h2>Scaling</h2>${table(['sites', 'held / expected', 'p50 ms', 'p95 ms', 'p99 ms', 'bytes per site (mean)', 'bytes per site (max)', 'assertions'], r.scaling.map((x) => [x.sites, `${x.records_delivered} / ${x.records_expected}`, x.propagation_ms.p50, x.propagation_ms.p95, x.propagation_ms.p99, x.bytes_sent_per_site.mean, x.bytes_sent_per_site.max, x.ok ? 'pass' : 'FAIL']))}
${linePlot('Propagation latency vs number of sites', [
    { label: 'p50', color: '#1f77b4', points: r.scaling.map((x) => [x.sites, x.propagation_ms.p50] as [number, number]) },
    { label: 'p99', color: '#d62728', points: r.scaling.map((x) => [x.sites, x.propagation_ms.p99] as [number, number]) },
  ], 'sites', 'ms')}
${linePlot('Plaintext bytes sent per site vs number of sites', [
    { label: 'mean', color: '#2ca02c', points: r.scaling.map((x) => [x.sites, x.bytes_sent_per_site.mean] as [number, number]) },
    { label: 'max', color: '#ff7f0e', points: r.scaling.map((x) => [x.sites, x.bytes_sent_per_site.max] as [number, number]) },
  ], 'sites', 'bytes')}` : ''}
<h2>Propagation</h2>
${linePlot('Propagation latency CDF (publish → held at another site)', [cdf], 'latency (ms)', 'fraction of deliveries', { steps: true, yMax: 1 })}
<h2>Records held per site over time</h2>
${linePlot('Records held per site', held, 'time since start (ms)', 'records held', { steps: true, legend: roles })}
<h2>Bytes sent per site</h2>
${barPlot('Plaintext bytes sent per site (before Noise)', bytes, 'bytes')}
<h2>Validation outcomes by code</h2>
${table(['code', 'count'], Object.entries(r.outcomes_by_code))}
${r.errors.length > 0 ? `<h2>Runner errors</h2><ul>${r.errors.map((e) => `<li>${esc(e)}</li>`).join('')}</ul>` : ''}
<h2>Sites</h2>
${table(['site', 'nation', 'role', 'alive', 'records held', 'bytes sent', 'weight bytes'], r.site_details.map((s) => [s.id, s.nation, s.role, s.alive ? 'yes' : 'no', s.records_held, s.bytes_sent, s.weight_bytes]))}
<p>Schema: <code>simulations/README.md</code> § report.json (report_version ${r.report_version}).</p>
</body></html>
`
}
