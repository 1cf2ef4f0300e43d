/**
 * Provenance (issue 16): from a record — usually a BenchmarkResult — along every CID link its body holds, whatever
 * the field (suite, model, parent, and whatever link a new record type adds: a tuning record, its alignment bundles),
 * plus the records that link *to* a model commitment or a bundle in the graph (a tuning record naming the model it
 * produced, a review of a bundle). Drawn as an SVG graph, one column per step; each node says whether this browser
 * verified the record, holds it invalid, or does not hold it; a click opens the record (`#provenance/ROOT/ID`).
 */
import { h } from 'preact'
import type { ComponentChild as VNode } from 'preact'
import { useEffect, useState } from 'preact/hooks'
import { decodeRecord, recordId } from '../../../protocol/index.ts'
import { CID } from 'multiformats/cid'
import type { DecodedRecord } from '../../../protocol/index.ts'
import type { Verdict } from './verify.ts'
import { hex } from './verify.ts'
import { links } from './links.ts'
import type { Link } from './links.ts'
import { badge, date, short, table, who } from './views.ts'
import type { Data } from './views.ts'

/** Types a backlink is followed from only into these (results and transcripts *use* a model; they are not its provenance). */
const BACKLINK_TARGETS = new Set(['ModelCommitment', 'AlignmentBundle'])
const NOT_PROVENANCE = new Set(['BenchmarkResult', 'Transcript'])
/** More links than this in one field (a suite's or bundle's chunks) become one summary node. */
const MAX_FIELD_LINKS = 3
const MAX_DEPTH = 6
const MAX_NODES = 60

interface GNode {
  key: string
  /** Record ID, or undefined for a summary of many links. */
  id?: string
  depth: number
  verdict?: Verdict
  /** For a summary node: how many links, held valid, held invalid. */
  group?: { field: string; total: number; valid: number; invalid: number }
}

interface GEdge { from: string; to: string; label: string }

export function provenanceGraph(d: Data, root: string): { nodes: GNode[]; edges: GEdge[] } {
  const byId = new Map(d.verification.verdicts.map((v) => [v.id, v]))
  const backlinks = new Map<string, Array<{ from: string; path: string }>>()
  for (const v of d.verification.verdicts) {
    if (!v.ok || v.record === undefined || NOT_PROVENANCE.has(v.record.type)) continue
    for (const l of links(v.record.body)) {
      const list = backlinks.get(l.id) ?? []
      list.push({ from: v.id, path: l.path })
      backlinks.set(l.id, list)
    }
  }
  const nodes = new Map<string, GNode>()
  const edges: GEdge[] = []
  const seenEdges = new Set<string>()
  const edge = (e: GEdge): void => {
    const k = `${e.from}>${e.to}>${e.label}`
    if (!seenEdges.has(k)) { seenEdges.add(k); edges.push(e) }
  }
  const queue: string[] = [root]
  nodes.set(root, { key: root, id: root, depth: 0, verdict: byId.get(root) })
  while (queue.length > 0 && nodes.size < MAX_NODES) {
    const id = queue.shift()!
    const n = nodes.get(id)!
    const r = n.verdict?.record
    if (r === undefined || n.depth >= MAX_DEPTH) continue
    const add = (to: string, depth: number, label: string, from = id, to2?: string): void => {
      if (!nodes.has(to)) {
        nodes.set(to, { key: to, id: to, depth, verdict: byId.get(to) })
        queue.push(to)
      }
      edge({ from, to: to2 ?? to, label })
    }
    const byField = new Map<string, Link[]>()
    for (const l of links(r.body)) {
      const field = l.path.replace(/\[\d+\]$/, '')
      byField.set(field, [...(byField.get(field) ?? []), l])
    }
    for (const [field, ls] of byField) {
      if (ls.length <= MAX_FIELD_LINKS) { for (const l of ls) add(l.id, n.depth + 1, l.path); continue }
      const vs = ls.map((l) => byId.get(l.id))
      const key = `${id}:${field}`
      nodes.set(key, { key, depth: n.depth + 1, group: { field, total: ls.length, valid: vs.filter((v) => v?.ok === true).length, invalid: vs.filter((v) => v !== undefined && !v.ok).length } })
      edge({ from: id, to: key, label: field })
    }
    if (BACKLINK_TARGETS.has(r.type)) {
      for (const b of backlinks.get(id) ?? []) {
        if (nodes.has(b.from)) { edge({ from: b.from, to: id, label: b.path }); continue }
        nodes.set(b.from, { key: b.from, id: b.from, depth: n.depth + 1, verdict: byId.get(b.from) })
        queue.push(b.from)
        edge({ from: b.from, to: id, label: b.path })
      }
    }
  }
  return { nodes: [...nodes.values()], edges: edges.filter((e) => nodes.has(e.from) && nodes.has(e.to)) }
}

const NW = 210, NH = 62, COL = 280, ROW = 80, PAD = 12

const clip = (s: string, n = 27): string => (s.length > n ? `${s.slice(0, n - 1)}…` : s)

/** A node's three lines (what, which, verdict) and its kind. */
function nodeText(d: Data, n: GNode): [string, string, string, 'valid' | 'invalid' | 'missing' | 'group'] {
  if (n.group !== undefined) {
    const g = n.group
    return [`${g.total} links`, clip(g.field), `${g.valid} verified${g.invalid > 0 ? `, ${g.invalid} invalid` : ''}${g.total - g.valid - g.invalid > 0 ? `, ${g.total - g.valid - g.invalid} not held` : ''}`, g.invalid > 0 ? 'invalid' : 'group']
  }
  const v = n.verdict
  if (v === undefined) return ['not held here', short(n.id!, 22), 'cannot be verified', 'missing']
  const r = v.record
  const name = r === undefined ? '' : typeof (r.body as { name?: unknown }).name === 'string' ? (r.body as { name: string }).name : short(v.id, 22)
  return [r?.type ?? 'undecodable', clip(name), v.ok ? `✓ verified · ${r === undefined ? '' : who(d, r)}` : `✗ invalid: ${v.code}`, v.ok ? 'valid' : 'invalid']
}

function graphSvg(d: Data, root: string, selected: string | undefined, g: ReturnType<typeof provenanceGraph>): VNode {
  const cols = new Map<number, GNode[]>()
  for (const n of g.nodes) cols.set(n.depth, [...(cols.get(n.depth) ?? []), n])
  const pos = new Map<string, { x: number; y: number }>()
  for (const [depth, ns] of cols) ns.forEach((n, i) => pos.set(n.key, { x: PAD + depth * COL, y: PAD + i * ROW }))
  const width = PAD * 2 + (Math.max(...cols.keys()) * COL) + NW
  const height = PAD * 2 + Math.max(...[...cols.values()].map((c) => c.length)) * ROW - (ROW - NH)
  const summary = g.nodes.map((n) => nodeText(d, n).slice(0, 3).join(' ')).join('; ')
  return h('svg', { class: 'graph', viewBox: `0 0 ${width} ${height}`, width, height, role: 'group', 'aria-label': `Provenance graph of ${root}: ${summary}` },
    h('defs', null, h('marker', { id: 'arrow', viewBox: '0 0 10 10', refX: 10, refY: 5, markerWidth: 6, markerHeight: 6, orient: 'auto-start-reverse' }, h('path', { d: 'M 0 0 L 10 5 L 0 10 z', class: 'arrowhead' }))),
    g.edges.map((e, i) => {
      const a = pos.get(e.from)!, b = pos.get(e.to)!
      const forward = a.x <= b.x
      const [x1, x2] = forward ? [a.x + NW, b.x] : [a.x, b.x + NW]
      const y1 = a.y + NH / 2, y2 = b.y + NH / 2
      return h('g', { key: `e${i}` },
        h('line', { x1, y1, x2, y2, class: 'edge', 'marker-end': 'url(#arrow)' }),
        h('text', { x: (x1 + x2) / 2, y: (y1 + y2) / 2 - 4, 'text-anchor': 'middle', class: 'edge-label' }, e.label.length > 22 ? `${e.label.slice(0, 21)}…` : e.label))
    }),
    g.nodes.map((n) => {
      const p = pos.get(n.key)!
      const [title, name, sub, kind] = nodeText(d, n)
      const box = [
        h('rect', { x: p.x, y: p.y, width: NW, height: NH, rx: 6, class: `node ${kind}${n.id === selected ? ' selected' : ''}` }),
        h('text', { x: p.x + 8, y: p.y + 18, class: 'node-title' }, title),
        h('text', { x: p.x + 8, y: p.y + 35, class: 'node-name' }, name),
        h('text', { x: p.x + 8, y: p.y + 52, class: 'node-sub' }, sub),
      ]
      if (n.id === undefined) return h('g', { key: n.key, 'data-node': n.key }, box)
      return h('a', { key: n.key, href: `#provenance/${root}/${n.id}`, 'data-node': n.id, 'aria-label': `${title} ${name}, ${sub}, ${n.id}` }, box)
    }))
}

/**
 * A linked record the verified set does not contain: asks the node for the bytes it holds under that ID. Content
 * addressing decides: bytes that hash to another ID are a rewritten (tampered or corrupted) record, shown invalid.
 */
function Unheld(props: { id: string }): VNode {
  const [state, setState] = useState<{ text: string; good?: boolean } | undefined>(undefined)
  useEffect(() => {
    let live = true
    fetch(`/ui/api/record?id=${encodeURIComponent(props.id)}`, { credentials: 'same-origin' })
      .then(async (r) => {
        if (r.status === 404) return { text: 'This node does not hold this record: it cannot be verified here.' }
        if (!r.ok) return { text: `The node answered HTTP ${r.status}.` }
        const bytes = new Uint8Array(await r.arrayBuffer())
        const actual = recordId(bytes)
        const o = decodeRecord(bytes)
        if (actual !== props.id) {
          return { good: false, text: `tampered: the bytes this node holds under this ID hash to ${actual}, not to the ID; as a record they are ${o.action === 'accept' ? 'well signed (another record)' : `invalid (${o.code})`}.` }
        }
        return { good: o.action === 'accept', text: o.action === 'accept' ? 'Held and well signed, but not in the verified set yet.' : `invalid: ${o.code}` }
      })
      .then((x) => { if (live) setState(x) }, (e: unknown) => { if (live) setState({ text: String(e) }) })
    return () => { live = false }
  }, [props.id])
  if (state === undefined) return h('p', { id: 'prov-detail' }, 'Not in the verified records; asking the node what it holds under this ID…')
  return h('p', { id: 'prov-detail' }, state.good === false ? badge(false, 'invalid') : '', ' ', state.text)
}

/** A record's fields, links shown as links into the graph. */
function fields(root: string, r: DecodedRecord): VNode {
  const show = (v: unknown): VNode | string => {
    const cid = v !== null && typeof v === 'object' ? CID.asCID(v) : null
    if (cid !== null) return h('a', { href: `#provenance/${root}/${cid.toString()}` }, h('code', null, short(cid.toString(), 20)))
    if (v instanceof Uint8Array) return h('code', { title: hex(v) }, short(hex(v), 16))
    if (Array.isArray(v)) return v.length > 8 ? `[${v.length} entries]` : h('span', null, v.map((x, i) => h('span', { key: i }, i > 0 ? ', ' : '', show(x))))
    if (v !== null && typeof v === 'object') {
      const text = JSON.stringify(v, (_k, x: unknown) => (x instanceof Uint8Array ? short(hex(x), 16) : x))
      return text.length > 160 ? `${text.slice(0, 159)}…` : text
    }
    return String(v)
  }
  return table(`Fields of this ${r.type}`, ['Field', 'Value'], Object.entries(r.body as object).map(([k, v]) => [k, show(v)]), 'fields')
}

export function provenanceView(d: Data, root: string | undefined, selected: string | undefined): VNode {
  const results = d.verification.verdicts.filter((v) => v.ok && v.record?.type === 'BenchmarkResult')
    .sort((a, b) => b.record!.created - a.record!.created || a.id.localeCompare(b.id))
  const byId = new Map(d.verification.verdicts.map((v) => [v.id, v]))
  const pick = h('details', { class: 'pick', open: root === undefined },
    h('summary', null, `Pick a result (${results.length} verified; newest first)`),
    h('ul', { class: 'result-list' }, results.slice(0, 30).map((v) => h('li', { key: v.id },
      h('a', { href: `#provenance/${v.id}` }, `${who(d, v.record!)} · ${date(v.record!.created)} · `, h('code', null, short(v.id, 20)))))))
  if (root === undefined) {
    return h('section', { 'aria-labelledby': 'h-prov' }, h('h2', { id: 'h-prov' }, 'Provenance'),
      h('p', null, 'Where a result came from: result → suite → model commitment → (tuning record → alignment bundles), every record verified in this browser.'), pick)
  }
  const g = provenanceGraph(d, root)
  const sel = byId.get(selected ?? root)
  return h('section', { 'aria-labelledby': 'h-prov' },
    h('h2', { id: 'h-prov' }, 'Provenance of ', h('code', { title: root }, short(root, 24))),
    pick,
    h('div', { class: 'graph-wrap' }, graphSvg(d, root, selected ?? root, g)),
    h('h3', null, 'Record ', h('code', { title: selected ?? root }, short(selected ?? root, 24))),
    sel === undefined ? h(Unheld, { key: selected ?? root, id: selected ?? root })
      : h('div', { id: 'prov-detail' },
        h('p', null, sel.ok ? badge(true, 'verified in this browser') : badge(false, `invalid: ${sel.code}`), ' ',
          sel.record === undefined ? sel.message ?? '' : `${sel.record.type} signed by ${who(d, sel.record)} on ${date(sel.record.created)}${sel.ok ? '' : ` — ${sel.message ?? ''}`}`,
          ' ', selected !== undefined && selected !== root ? h('a', { href: `#provenance/${selected}` }, 'Make this the root') : ''),
        sel.record === undefined ? null : fields(root, sel.record)))
}
