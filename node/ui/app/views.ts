/** The dashboard's views: pure functions of what main.ts loaded and what verify.ts concluded. */
import { h } from 'preact'
import type { ComponentChild as VNode } from 'preact'
import { equivocationAlert } from '../../../protocol/index.ts'
import type { DecodedRecord } from '../../../protocol/index.ts'
import type { Verdict, Verification } from './verify.ts'
import { hex } from './verify.ts'
import { intervalPlot, PALETTE, pct } from './plot.ts'
import type { Series } from './plot.ts'

export interface Data {
  genesisCharter: string
  status: Record<string, unknown>
  peers: Array<Record<string, unknown>>
  verification: Verification
  now: number
}

const short = (s: string, n = 12): string => (s.length > n + 1 ? `${s.slice(0, n)}…` : s)
const date = (ms: number): string => new Date(ms).toISOString().replace('T', ' ').slice(0, 16) + ' UTC'
const ok = (v: Verdict[]): Array<Verdict & { record: DecodedRecord }> => v.filter((x): x is Verdict & { record: DecodedRecord } => x.ok && x.record !== undefined)

function table(caption: string, head: string[], rows: Array<Array<VNode | string | number>>, cls = ''): VNode {
  return h('table', { class: cls },
    h('caption', null, caption),
    h('thead', null, h('tr', null, head.map((c) => h('th', { scope: 'col', key: c }, c)))),
    h('tbody', null, rows.length === 0
      ? h('tr', null, h('td', { colSpan: head.length }, 'none'))
      : rows.map((r, i) => h('tr', { key: i }, r.map((c, j) => h('td', { key: j }, c))))))
}

const badge = (good: boolean, text: string): VNode => h('span', { class: good ? 'badge ok' : 'badge bad' }, text)

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
    table('Connected peers (as the node reports them; latency is not reported yet)', ['Peer', 'Nation', 'Admitted', 'Score'],
      d.peers.map((p) => [h('code', { title: String(p.peerId) }, short(String(p.peerId), 16)), String(p.nation ?? '—'), p.admitted === true ? 'yes' : 'no', String(p.score ?? '')])),
    h('h3', null, 'Alerts'),
    alerts.length === 0 ? h('p', null, 'No trust or audit alerts.') : h('ul', { class: 'alerts' }, alerts.map((a) => h('li', { key: a }, a))))
}

export function resultsView(d: Data): VNode {
  const { trust, verdicts } = d.verification
  const results = ok(verdicts).filter((v) => v.record.type === 'BenchmarkResult') as Array<Verdict & { record: DecodedRecord<'BenchmarkResult'> }>
  const bySuite = new Map<string, Map<string, DecodedRecord<'BenchmarkResult'>>>()
  for (const { record: r } of results) {
    const suite = r.body.suite.toString()
    const m = bySuite.get(suite) ?? new Map<string, DecodedRecord<'BenchmarkResult'>>()
    const signer = hex(r.signer)
    const prev = m.get(signer)
    if (prev === undefined || prev.created < r.created) m.set(signer, r) // each site's newest result on the suite
    bySuite.set(suite, m)
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
        table('Sites side by side (newest result per site; provenance: result → suite → model commitment)', ['Site', 'Overall', 'Items', 'Method', 'Model commitment', 'Result'],
          rs.map((r, i) => [
            h('span', null, h('span', { class: 'swatch', 'aria-hidden': 'true', 'data-c': String(i % PALETTE.length) }), label(r)),
            pct(r.body.overall_ppm), String(r.body.item_count), r.body.method,
            h('span', null, h('code', { title: r.body.model.toString() }, short(r.body.model.toString(), 14)), ' ', known.has(r.body.model.toString()) ? badge(true, 'verified') : badge(false, 'not held')),
            h('code', { title: r.id }, short(r.id, 14)),
          ])),
        intervalPlot(`Per-category scores with 95% intervals, suite ${short(suite, 20)}`, categories, series))
    }))
}

export function healthView(d: Data): VNode {
  const s = d.status
  const scalar = Object.entries(s).filter(([, v]) => typeof v !== 'object' || v === null)
  const maps = Object.entries(s).filter(([, v]) => typeof v === 'object' && v !== null && !Array.isArray(v)) as Array<[string, Record<string, unknown>]>
  return h('section', { 'aria-labelledby': 'h-health' },
    h('h2', { id: 'h-health' }, 'Node health'),
    table('Status', ['Field', 'Value'], scalar.map(([k, v]) => [k, String(v)])),
    maps.map(([k, m]) => h('div', { key: k }, table(k, ['Key', 'Count'], Object.entries(m).map(([a, b]) => [a, typeof b === 'object' ? JSON.stringify(b) : String(b)])))))
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
