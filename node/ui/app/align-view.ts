/**
 * Alignment bundles and the review queue (issue 16; specs/alignment-v1.md §2, §4–§5). Everything shown is verified in
 * this browser — the bundles, their chunks (the item preview comes from them) and the site's own signed
 * AlignmentReview records, from which the status is computed here (§4: the latest decision by `created`) — except the
 * scrub report, which the node computes (its personal-data detectors do not run in the page) and which is labelled so.
 * Approve and reject go through the dashboard's CSRF-protected action path (POST /ui/api/align/decide).
 */
import { h } from 'preact'
import type { ComponentChild as VNode } from 'preact'
import { useState } from 'preact/hooks'
import { decisionsInForce } from '../../../protocol/index.ts'
import type { AlignmentItem, DecisionInForce, DecodedRecord } from '../../../protocol/index.ts'
import { hex } from './verify.ts'
import type { Verdict } from './verify.ts'
import { badge, date, failed, ofType, pending, short, table, who } from './views.ts'
import type { Data, QueueEntry } from './views.ts'

type Decide = (bundle: string, decision: 'approve' | 'reject', reason: string) => Promise<string>

const PREVIEW_ITEMS = 3
const clip = (s: string | undefined, n = 90): string => (s === undefined ? '' : s.length > n ? `${s.slice(0, n - 1)}…` : s)

/** The site's reviews, verified here like any record (signed by this site's certified key), latest decision per bundle. */
function decisions(d: Data): { byBundle: Map<string, DecisionInForce>; invalid: Verdict[] } | Error | undefined {
  const x = d.extras?.reviews
  if (x === undefined || x instanceof Error) return x
  const mine: DecodedRecord<'AlignmentReview'>[] = []
  const invalid: Verdict[] = []
  for (const r of x) {
    if (r.record?.type !== 'AlignmentReview') continue
    if (!r.ok || hex(r.record.signer) !== d.siteKey) { invalid.push(r); continue }
    mine.push(r.record as DecodedRecord<'AlignmentReview'>)
  }
  const byBundle = decisionsInForce(mine)
  return { byBundle, invalid }
}

function audience(b: DecodedRecord<'AlignmentBundle'>['body']): string {
  const a = b.audience
  if (a === undefined) return 'everyone in the federation'
  return [
    ...(a.nations ?? []).map((n) => `nation ${n}`),
    ...(a.groups ?? []).map((g) => `group ${g.name} (${g.nations.join(', ')})`),
    ...(a.sites ?? []).map((s) => `site ${short(hex(s), 10)}`),
  ].join('; ')
}

function itemRow(i: AlignmentItem): Array<VNode | string> {
  const detail = [i.category && `category: ${i.category}`, i.expected && `expected: ${i.expected}`, i.chosen && `chosen: ${clip(i.chosen, 60)}`,
    i.rejected && `rejected: ${clip(i.rejected, 60)}`, i.response && `response: ${clip(i.response, 60)}`].filter(Boolean).join(' · ')
  return [h('code', null, i.id), i.language, clip(i.prompt), detail]
}

function DecisionForm(props: { id: string; decide: Decide; canApprove: boolean }): VNode {
  const [reason, setReason] = useState('')
  const [result, setResult] = useState('')
  const [busy, setBusy] = useState(false)
  const fid = `reason-${props.id}`
  const act = (decision: 'approve' | 'reject'): void => {
    if (reason.trim() === '') { setResult('A decision needs a reason.'); return }
    setBusy(true)
    props.decide(props.id, decision, reason).then(setResult, (e: unknown) => setResult(String(e))).finally(() => setBusy(false))
  }
  return h('form', { class: 'decide', 'data-bundle': props.id, onSubmit: (e: Event) => e.preventDefault() },
    h('label', { for: fid }, 'Reason for the decision (kept in the signed review)'),
    h('input', { id: fid, name: 'reason', type: 'text', value: reason, maxLength: 2000, onInput: (e: Event) => setReason((e.currentTarget as HTMLInputElement).value) }),
    h('button', { type: 'button', class: 'approve', disabled: busy || !props.canApprove, onClick: () => act('approve') }, 'Approve'),
    h('button', { type: 'button', class: 'reject', disabled: busy, onClick: () => act('reject') }, 'Reject'),
    h('output', { class: 'decide-result', 'aria-live': 'polite' }, result))
}

export function alignView(d: Data, decide: Decide): VNode {
  const bundles = ofType(d, 'AlignmentBundle').sort((a, b) => b.created - a.created || a.id.localeCompare(b.id))
  const chunks = new Map(ofType(d, 'AlignmentChunk').map((c) => [c.id, c]))
  const dec = decisions(d)
  const queue = d.extras?.queue
  const scrubOf = new Map((queue instanceof Error || queue === undefined ? [] : queue).map((q): [string, QueueEntry] => [q.id, q]))
  const own = (b: DecodedRecord): boolean => hex(b.signer) === d.siteKey
  const rows = bundles.map((b) => {
    const body = b.body
    const items = body.items ?? (body.chunks ?? []).flatMap((c) => chunks.get(c.toString())?.body.items ?? [])
    const missing = (body.chunks ?? []).filter((c) => !chunks.has(c.toString())).length
    const decision = dec === undefined || dec instanceof Error ? undefined : dec.byBundle.get(b.id)
    const status = own(b) ? 'own' : missing > 0 ? 'incomplete' : decision === undefined ? 'pending' : decision.decision === 'approve' ? 'approved' : 'rejected'
    return { b, items, missing, decision, status }
  })
  const waiting = rows.filter((r) => r.status === 'pending' || r.status === 'incomplete')
  return h('section', { 'aria-labelledby': 'h-align' },
    h('h2', { id: 'h-align' }, 'Alignment bundles'),
    h('p', null, `${bundles.length} bundles verified in this browser; ${waiting.length} wait for a decision. Status comes from this site's own signed reviews, verified here.`),
    dec === undefined ? pending('the site\'s reviews') : dec instanceof Error ? failed('The site\'s reviews', dec)
      : dec.invalid.length > 0 ? h('p', { class: 'invalid', role: 'alert' }, `${dec.invalid.length} review record(s) fail verification and are ignored: ${dec.invalid.map((v) => v.code).join(', ')}`) : null,
    table('Review queue and bundles (newest first)', ['Bundle', 'Kind', 'Label', 'Audience', 'Items', 'From', 'Status'],
      rows.map(({ b, items, missing, decision, status }) => [
        h('a', { href: `#alignment`, onClick: (e: Event) => { e.preventDefault(); document.getElementById(`bundle-${b.id}`)?.scrollIntoView() } }, b.body.name),
        b.body.kind, h('span', { class: `tlp tlp-${b.body.label.slice(4).replace('+', '-').toLowerCase()}` }, b.body.label), audience(b.body),
        `${items.length} of ${b.body.item_count}${missing > 0 ? ` (${missing} chunk(s) not held)` : ''}`, who(d, b),
        h('span', { class: `status status-${status}` }, status, decision === undefined ? '' : ` (${clip(decision.reason, 40)})`),
      ]), 'queue'),
    rows.map(({ b, items, missing, decision, status }) => {
      const q = scrubOf.get(b.id)
      return h('article', { key: b.id, id: `bundle-${b.id}`, class: 'bundle', 'data-status': status },
        h('h3', null, `${b.body.name} `, badge(true, 'verified'), ' ', h('code', { title: b.id }, short(b.id, 20))),
        h('p', null, `${b.body.kind}, ${b.body.label}, licence ${b.body.license}, audience: ${audience(b.body)}; signed by ${who(d, b)} on ${date(b.created)}`,
          b.body.embargo_until === undefined ? '' : `; embargoed until ${date(b.body.embargo_until)}`, b.body.description === undefined ? '' : ` — ${b.body.description}`),
        q?.scrub === undefined ? h('p', { class: 'muted' }, queue === undefined ? 'Loading the scrub report…' : 'No scrub report from the node (a chunk is missing).')
          : table(`Scrub report (computed by this node, alignment-v1 §5): ${q.scrub.hits} possible personal-data hit(s)`, ['Item', 'Field', 'Detector', 'Match (masked)'],
            q.scrub.shown.map((x) => [x.item, x.field, x.detector, h('code', null, x.excerpt)]), 'scrub'),
        table(`Item preview (${Math.min(PREVIEW_ITEMS, items.length)} of ${b.body.item_count}, from the verified records)`, ['ID', 'Language', 'Prompt', 'Fields'],
          items.slice(0, PREVIEW_ITEMS).map(itemRow), 'items'),
        own(b) ? h('p', { class: 'muted' }, 'This site\'s own bundle: no review needed.')
          : h('div', null,
            decision === undefined ? null : h('p', null, `Decision in force: ${decision.decision} on ${date(decision.created)} — “${decision.reason}” (review ${short(decision.id, 14)})`),
            h(DecisionForm, { id: b.id, decide, canApprove: missing === 0 })))
    }))
}
