/** The dashboard's views: pure functions of what main.ts loaded and what verify.ts concluded. */
import { h } from 'preact'
import type { ComponentChild as VNode } from 'preact'
import { equivocationAlert } from '../../../protocol/index.ts'
import type { DecodedRecord } from '../../../protocol/index.ts'
import type { Verdict, Verification } from './verify.ts'
import { hex } from './verify.ts'
import { intervalPlot, PALETTE, pct } from './plot.ts'
import type { Series } from './plot.ts'

/** A bundle in the node's review queue (node/ui/align.ts QueueEntry): the page uses its scrub report only. */
export interface QueueEntry {
  id: string
  status: string
  scrub?: { hits: number; shown: Array<{ item: string; field: string; detector: string; excerpt: string }>; digest: string }
}

export interface Alert {
  at: number
  kind: string
  message: string
}

/** What loads after the first render; an Error when its request failed (shown in the view that needs it). */
export interface Extras {
  queue: QueueEntry[] | Error
  /** The site's AlignmentReview records, verified in this browser. */
  reviews: Verdict[] | Error
  checkpoint: string | Error
  vkey: string | Error
  equivocations: Array<Record<string, unknown>> | Error
  alerts: Alert[] | Error
  /** The node's Prometheus text. */
  metrics: string | Error
}

export interface Data {
  csrf: string
  genesisCharter: string
  /** This site's public key, hex (the page checks it is certified like any other). */
  siteKey: string
  status: Record<string, unknown>
  peers: Array<Record<string, unknown>>
  verification: Verification
  now: number
  /** Every record fetched and verified. */
  done: boolean
  /** How many envelopes the node holds (known once fetched). */
  total?: number
  extras?: Extras
}

export const short = (s: string, n = 12): string => (s.length > n + 1 ? `${s.slice(0, n)}…` : s)
export const date = (ms: number): string => new Date(ms).toISOString().replace('T', ' ').slice(0, 16) + ' UTC'
export const ok = (v: Verdict[]): Array<Verdict & { record: DecodedRecord }> => v.filter((x): x is Verdict & { record: DecodedRecord } => x.ok && x.record !== undefined)
/** The verified records of one type. */
export const ofType = <T extends DecodedRecord['type']>(d: Data, type: T): Array<DecodedRecord<T>> =>
  ok(d.verification.verdicts).filter((v) => v.record.type === type).map((v) => v.record as DecodedRecord<T>)
/** A nation and short key for a signer, from the verified certificates. */
export const who = (d: Data, r: DecodedRecord): string => `${d.verification.trust.siteAt(r.signer, r.created)?.nation ?? '?'} ${short(hex(r.signer), 6)}`
export const pending = (what: string): VNode => h('p', { class: 'muted' }, `Loading ${what}…`)
export const failed = (what: string, e: Error): VNode => h('p', { role: 'status', class: 'muted' }, `${what}: ${e.message}`)

export function table(caption: string, head: string[], rows: Array<Array<VNode | string | number>>, cls = ''): VNode {
  return h('table', { class: cls },
    h('caption', null, caption),
    h('thead', null, h('tr', null, head.map((c) => h('th', { scope: 'col', key: c }, c)))),
    h('tbody', null, rows.length === 0
      ? h('tr', null, h('td', { colSpan: head.length }, 'none'))
      : rows.map((r, i) => h('tr', { key: i }, r.map((c, j) => h('td', { key: j }, c))))))
}

export const badge = (good: boolean, text: string): VNode => h('span', { class: good ? 'badge ok' : 'badge bad' }, text)

export function federationView(d: Data): VNode {
  const { trust, verdicts } = d.verification
  const chain = []
  for (let e = trust.currentCharter()?.charter; e !== undefined; e = e.predecessorId === null ? undefined : trust.charter(e.predecessorId)) chain.push(e)
  const certs = ok(verdicts).filter((v) => v.record.type === 'SiteCertificate') as Array<Verdict & { record: DecodedRecord<'SiteCertificate'> }>
  // audit-v1 §7.3: an equivocation proof verified in this browser (signatures, notes, certified log) is an alert too
  const equivocations = ok(verdicts).filter((v) => v.record.type === 'AuditEquivocation') as Array<Verdict & { record: DecodedRecord<'AuditEquivocation'> }>
  const alerts = [...trust.alerts(), ...new Set(equivocations.map((v) => equivocationAlert(v.record.body, v.record.id)))]
  const current = chain[0]
  return h('section', { 'aria-labelledby': 'h-fed' },
    h('h2', { id: 'h-fed' }, 'Federation'),
    table('Charter chain (newest first; the last is the genesis this node pins)', ['Charter', 'Name', 'Members', 'Quorum', 'Created'],
      chain.map((c) => [h('code', { title: c.id }, short(c.id, 16)), c.body.name, [...c.rootsByNation.keys()].join(' '), String(c.body.quorum), date(c.created)])),
    table('Nations (member roots of the charter in effect)', ['Nation', 'Root key'],
      current === undefined ? [] : [...current.rootsByNation].map(([nation, root]) => [nation, h('code', { title: root }, short(root, 16))])),
    table('Sites (certificates verified in this browser)', ['Nation', 'Site key', 'Roles', 'Valid', 'Status'],
      certs.map((v) => {
        const b = v.record.body
        const s = trust.siteStatus(b.site_key, d.now).status
        return [b.nation, h('code', { title: hex(b.site_key) }, short(hex(b.site_key), 16)), b.roles.join(', '), `${date(b.not_before)} → ${date(b.not_after)}`, badge(s === 'ok', s === 'ok' ? 'valid' : s)]
      })),
    table('Connected peers (as the node reports them; latency: the round trip of libp2p\'s last ping)', ['Peer', 'Nation', 'Admitted', 'Latency', 'Gossip score'],
      d.peers.map((p) => [h('code', { title: String(p.peerId) }, short(String(p.peerId), 16)), String(p.nation ?? '—'), p.admitted === true ? 'yes' : 'no',
        typeof p.rttMs === 'number' ? (p.rttMs < 1 ? '< 1 ms' : `${p.rttMs.toFixed(0)} ms`) : 'not measured yet', typeof p.score === 'number' ? p.score.toFixed(1) : '']), 'peers'),
    h('h3', null, 'Alerts'),
    alerts.length === 0 ? h('p', null, 'No trust or audit alerts (verified in this browser).') : h('ul', { class: 'alerts' }, alerts.map((a) => h('li', { key: a }, a))),
    nodeAlerts(d))
}

/** The node's own alert list (trust alerts, audit equivocations, warnings), as it reports them. */
export function nodeAlerts(d: Data, filter: (a: Alert) => boolean = () => true): VNode {
  const x = d.extras?.alerts
  if (x === undefined) return pending('the node\'s alerts')
  if (x instanceof Error) return failed('The node\'s alerts', x)
  const list = x.filter(filter)
  return table('Alerts the node raised (newest last)', ['When', 'Kind', 'Alert'], list.map((a) => [date(a.at), a.kind, a.message]), 'node-alerts')
}

export function resultsView(d: Data): VNode {
  const { trust, verdicts } = d.verification
  const results = ok(verdicts).filter((v) => v.record.type === 'BenchmarkResult') as Array<Verdict & { record: DecodedRecord<'BenchmarkResult'> }>
  const bySuite = new Map<string, Map<string, DecodedRecord<'BenchmarkResult'>>>()
  /** suite → site → model commitment → that site's newest result for the model (the history across commitments). */
  const byModel = new Map<string, Map<string, Map<string, DecodedRecord<'BenchmarkResult'>>>>()
  const newest = <K>(m: Map<K, DecodedRecord<'BenchmarkResult'>>, k: K, r: DecodedRecord<'BenchmarkResult'>) => {
    const prev = m.get(k)
    if (prev === undefined || prev.created < r.created) m.set(k, r)
  }
  for (const { record: r } of results) {
    const suite = r.body.suite.toString()
    const m = bySuite.get(suite) ?? new Map<string, DecodedRecord<'BenchmarkResult'>>()
    const signer = hex(r.signer)
    newest(m, signer, r) // each site's newest result on the suite
    bySuite.set(suite, m)
    const sites = byModel.get(suite) ?? new Map<string, Map<string, DecodedRecord<'BenchmarkResult'>>>()
    const models = sites.get(signer) ?? new Map<string, DecodedRecord<'BenchmarkResult'>>()
    newest(models, r.body.model.toString(), r)
    sites.set(signer, models)
    byModel.set(suite, sites)
  }
  const known = new Set(verdicts.filter((v) => v.ok).map((v) => v.id))
  const label = (r: DecodedRecord): string => `${trust.siteAt(r.signer, r.created)?.nation ?? '?'} ${short(hex(r.signer), 6)}`
  return h('section', { 'aria-labelledby': 'h-res' },
    h('h2', { id: 'h-res' }, 'Results'),
    bySuite.size === 0 ? h('p', null, 'No verified benchmark results yet.') : null,
    [...bySuite].map(([suite, bySite]) => {
      const rs = [...bySite.values()].sort((a, b) => label(a).localeCompare(label(b)))
      const categories = [...new Set(rs.flatMap((r) => r.body.scores.map((s) => s.category)))]
      const series: Series[] = rs.map((r) => ({ label: label(r), values: new Map(r.body.scores.map((s) => [s.category, [s.score_ppm, s.ci_low_ppm, s.ci_high_ppm]])) }))
      return h('article', { key: suite, class: 'suite' },
        h('h3', null, 'Suite ', h('code', { title: suite }, short(suite, 20))),
        table('Sites side by side (newest result per site; follow a result to its provenance)', ['Site', 'Overall', 'Items', 'Method', 'Model commitment', 'Result'],
          rs.map((r, i) => [
            h('span', null, h('span', { class: 'swatch', 'aria-hidden': 'true', 'data-c': String(i % PALETTE.length) }), label(r)),
            pct(r.body.overall_ppm), String(r.body.item_count), r.body.method,
            h('span', null, h('code', { title: r.body.model.toString() }, short(r.body.model.toString(), 14)), ' ', known.has(r.body.model.toString()) ? badge(true, 'verified') : badge(false, 'not held')),
            h('a', { href: `#provenance/${r.id}`, title: `provenance of ${r.id}` }, h('code', null, short(r.id, 14))),
          ])),
        intervalPlot(`Per-category scores with 95% intervals, suite ${short(suite, 20)}`, categories, series),
        historyTable(byModel.get(suite)!, rs, label, known))
    }))
}

/** Most model commitments listed per site in a suite's history. */
const MAX_HISTORY_PER_SITE = 10

/**
 * A site's history across model commitments on one suite: for every site with results for two or more commitments,
 * its newest result per commitment, oldest first (up to MAX_HISTORY_PER_SITE newest commitments), with the change of
 * the overall score from the commitment before — how a tuned model compares with its predecessor.
 */
function historyTable(sites: Map<string, Map<string, DecodedRecord<'BenchmarkResult'>>>, order: DecodedRecord<'BenchmarkResult'>[],
  label: (r: DecodedRecord) => string, known: Set<string>): VNode | null {
  const rows: Array<Array<VNode | string>> = []
  for (const r of order) {
    const history = [...(sites.get(hex(r.signer))?.values() ?? [])].sort((a, b) => a.created - b.created).slice(-MAX_HISTORY_PER_SITE)
    if (history.length < 2) continue
    history.forEach((x, i) => {
      const delta = i === 0 ? '' : `${x.body.overall_ppm >= history[i - 1]!.body.overall_ppm ? '+' : '−'}${(Math.abs(x.body.overall_ppm - history[i - 1]!.body.overall_ppm) / 1e4).toFixed(2)} pts`
      rows.push([label(x), date(x.created),
        h('span', null, h('code', { title: x.body.model.toString() }, short(x.body.model.toString(), 14)), ' ', known.has(x.body.model.toString()) ? badge(true, 'verified') : badge(false, 'not held')),
        pct(x.body.overall_ppm), delta, h('a', { href: `#provenance/${x.id}`, title: `provenance of ${x.id}` }, h('code', null, short(x.id, 14)))])
    })
  }
  return rows.length === 0 ? null : table('Each site\'s history across model commitments (newest result per commitment, oldest first)', ['Site', 'Date', 'Model commitment', 'Overall', 'Change', 'Result'], rows, 'history')
}

/** Metric families the health view shows (the node's own, libp2p's connections and streams, the process). */
const HEALTH_METRICS = /^(aip_|libp2p_(connection|protocol_streams|dialler)|process_resident_memory_bytes|process_cpu_seconds_total|nodejs_eventloop_lag_p99_seconds|nodejs_heap_size_used_bytes)/
/** Most metric samples shown. */
const MAX_METRIC_ROWS = 120

/** Prometheus text exposition → [name{labels}, value] rows of the metrics the view shows. */
export function metricRows(text: string): Array<[string, string]> {
  const rows: Array<[string, string]> = []
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('#') || !HEALTH_METRICS.test(line)) continue
    const i = line.lastIndexOf(' ')
    if (i > 0 && !line.slice(0, i).endsWith('_bucket') && !/_bucket\{/.test(line)) rows.push([line.slice(0, i), line.slice(i + 1)])
  }
  return rows.slice(0, MAX_METRIC_ROWS)
}

export function healthView(d: Data): VNode {
  const s = d.status
  const scalar = Object.entries(s).filter(([, v]) => typeof v !== 'object' || v === null)
  const maps = Object.entries(s).filter(([, v]) => typeof v === 'object' && v !== null && !Array.isArray(v)) as Array<[string, Record<string, unknown>]>
  const m = d.extras?.metrics
  return h('section', { 'aria-labelledby': 'h-health' },
    h('h2', { id: 'h-health' }, 'Node health'),
    table('Status', ['Field', 'Value'], scalar.map(([k, v]) => [k, String(v)])),
    maps.map(([k, m]) => h('div', { key: k }, table(k, ['Key', 'Count'], Object.entries(m).map(([a, b]) => [a, typeof b === 'object' ? JSON.stringify(b) : String(b)])))),
    m === undefined ? pending('metrics') : m instanceof Error ? failed('Metrics', m)
      : table('Metrics (the node\'s Prometheus registry: records, validation, gossip, sync, egress guard, libp2p, process)', ['Metric', 'Value'],
        metricRows(m).map(([k, v]) => [h('code', null, k), v]), 'metrics'))
}

export function recordsView(d: Data, onPublish: (file: File) => void, publishResult: string): VNode {
  const vs = [...d.verification.verdicts].sort((a, b) => Number(a.ok) - Number(b.ok))
  return h('section', { 'aria-labelledby': 'h-rec' },
    h('h2', { id: 'h-rec' }, 'Records'),
    h('form', { class: 'publish', onSubmit: (e: Event) => {
      e.preventDefault()
      const input = (e.currentTarget as HTMLFormElement).elements.namedItem('envelope') as HTMLInputElement
      const f = input.files?.[0]
      if (f !== undefined) onPublish(f)
    } },
    h('label', { for: 'envelope' }, 'Publish a signed record file (.cose) through this node: '),
    h('input', { id: 'envelope', name: 'envelope', type: 'file' }),
    h('button', { type: 'submit' }, 'Publish'),
    h('output', { id: 'publish-result', 'aria-live': 'polite' }, publishResult)),
    table('Every record, as verified in this browser (invalid first)', ['Verdict', 'Type', 'Signer', 'Created', 'ID'],
      vs.map((v) => [
        v.ok ? badge(true, 'valid') : h('span', { class: 'invalid' }, badge(false, 'invalid'), ` ${v.code}: ${v.message ?? ''}`),
        v.record?.type ?? '?', v.record === undefined ? '?' : h('code', null, short(hex(v.record.signer), 10)),
        v.record === undefined ? '?' : date(v.record.created), h('code', { title: v.id }, short(v.id, 16)),
      ]), 'records'))
}
