/**
 * `aip compliance report`: a report built only from the site's own records and audit log, every claim linked to the
 * record (by ID) or log entry (by index and leaf hash) behind it. Each section says which parts are evidence and
 * which need the operator's own text — the report never invents the latter.
 */
import { bundlesOfTree, decodeBundle, leafHash, parseCheckpoint, parseEntry, tilePath } from '../../protocol/index.ts'
import type { AuditEntry, DecodedRecord } from '../../protocol/index.ts'
import type { RecordAccess } from '../records/access.ts'
import { getRecord } from '../tune/service.ts'
import type { AuditAccess } from './access.ts'
import type { AuditConfig } from './config.ts'

export interface Evidence {
  kind: 'record' | 'entry' | 'checkpoint' | 'config'
  /** Record ID, entry index, checkpoint size, or config key. */
  ref: string
  label: string
}

export interface Claim {
  text: string
  evidence: Evidence[]
}

export interface Section {
  title: string
  claims: Claim[]
  /** What the operator must write themselves (purposes, legal bases, …): listed, never filled in. */
  operatorText: string[]
}

export interface ComplianceReport {
  site: { nation: string; origin: string; vkey: string }
  generatedAt: number
  sections: Section[]
}

const MAX_LISTED = 20

export async function buildReport(records: RecordAccess, audit: AuditAccess, config: AuditConfig | undefined, now: number): Promise<ComplianceReport> {
  const note = await audit.checkpoint(false)
  const cp = note === undefined ? undefined : parseCheckpoint(note.text)
  const counts = new Map<string, number>()
  const firstOf = new Map<string, { index: number; leaf: string; entry: AuditEntry }>()
  let first: number | undefined
  let last: number | undefined
  let captured = 0
  if (cp !== undefined) {
    for (const b of bundlesOfTree(cp.size)) {
      const bytes = await audit.resource(tilePath(b))
      if (bytes === undefined) continue
      decodeBundle(bytes, b.width).forEach((data, j) => {
        const index = b.index * 256 + j
        const e = parseEntry(data)
        const key = e.kind === 'record' ? `record/${e['aip.record.direction']}` : e.kind === 'operator' ? `operator/${e['aip.operator.action']}` : e.kind
        counts.set(key, (counts.get(key) ?? 0) + 1)
        if (!firstOf.has(key)) firstOf.set(key, { index, leaf: Buffer.from(leafHash(data)).toString('hex'), entry: e })
        first ??= e.time
        last = e.time
        if (e.kind === 'inference' && e['aip.content.captured'] === true) captured++
      })
    }
  }
  const entryEv = (key: string): Evidence[] => {
    const f = firstOf.get(key)
    return f === undefined ? [] : [{ kind: 'entry', ref: String(f.index), label: `first ${key} entry, leaf ${f.leaf.slice(0, 16)}…` }]
  }
  const list = async (type: string) => {
    const out: { id: string; created: number }[] = []
    for await (const r of records.list({ type })) { out.push({ id: r.id, created: r.created }); if (out.length >= MAX_LISTED) break }
    return out
  }
  const commitments = await list('ModelCommitment')
  const results = await list('BenchmarkResult')
  const bundles = await list('AlignmentBundle')
  const tuning = await trainingContent(records)
  const cpEv: Evidence[] = cp === undefined ? [] : [{ kind: 'checkpoint', ref: String(cp.size), label: `checkpoint of ${cp.size} entries, root ${Buffer.from(cp.root).toString('base64')}, ${note!.signatures.length - 1} cosignature(s)` }]
  const inference = counts.get('inference') ?? 0
  const recordCount = ['published', 'received', 'refused'].map((d) => counts.get(`record/${d}`) ?? 0)
  const sections: Section[] = [
    {
      title: 'EU AI Act Art. 12 — record-keeping (automatic logging)',
      claims: [
        { text: cp === undefined ? 'No checkpoint has been signed yet: run `aip audit checkpoint --sign`.' : `The site keeps an append-only, tamper-evident log (RFC 9162 tree, C2SP checkpoints) of ${cp.size} entries${first === undefined ? '' : `, from ${new Date(first).toISOString()} to ${new Date(last!).toISOString()}`}.`, evidence: cpEv },
        { text: `${inference} inference events are logged (operation, model, token counts, finish reasons, weights root, caller, SHA-256 of prompt and output).`, evidence: entryEv('inference') },
        { text: `Records: ${recordCount[0]} published, ${recordCount[1]} received, ${recordCount[2]} refused are logged with their validation outcome.`, evidence: [...entryEv('record/published'), ...entryEv('record/received'), ...entryEv('record/refused')] },
        { text: `Operator actions logged: ${[...counts].filter(([k]) => k.startsWith('operator/')).map(([k, n]) => `${k.slice(9)} ${n}`).join(', ') || 'none'}.`, evidence: [...counts.keys()].filter((k) => k.startsWith('operator/')).flatMap(entryEv) },
        { text: `Egress-guard events logged: ${counts.get('egress') ?? 0}.`, evidence: entryEv('egress') },
      ],
      operatorText: ['The intended purpose of the system and the situations the logs are meant to identify (Art. 12(2)).', 'Who reviews the logs and how often.'],
    },
    {
      title: 'EU AI Act Art. 53 and Annexes XI/XII — technical documentation (general-purpose models)',
      claims: [
        ...commitments.map((c) => ({ text: `Model commitment (weights root, architecture, parameter counts) published ${new Date(c.created).toISOString()}.`, evidence: [{ kind: 'record' as const, ref: c.id, label: 'ModelCommitment' }] })),
        ...results.map((r) => ({ text: `Evaluation result on a content-addressed benchmark suite, bound to the model commitment.`, evidence: [{ kind: 'record' as const, ref: r.id, label: 'BenchmarkResult' }] })),
        ...(tuning.length === 0
          ? [{ text: 'Public summary of training content: this site has signed no TuningRecord (no SovereignTune run).', evidence: [] }]
          : tuning),
      ],
      operatorText: ['Model description, intended tasks and acceptable-use policy (Annex XI §1).', 'Training process and data provenance, if the model was trained or tuned outside SovereignTune.', 'The public training-content summary (Art. 53(1)(d)) for the base model\'s pre-training, which no AIP record covers.'],
    },
    {
      title: 'EU AI Act Art. 55 — adversarial testing (systemic-risk models)',
      claims: [
        ...results.map((r) => ({ text: 'Published safety evaluation (refusal, over-refusal, jailbreak and multilingual categories, Wilson intervals).', evidence: [{ kind: 'record' as const, ref: r.id, label: 'BenchmarkResult' }] })),
        ...bundles.map((b) => ({ text: 'Alignment data bundle (red-team prompts, preference pairs or refusal exemplars) held by the site.', evidence: [{ kind: 'record' as const, ref: b.id, label: 'AlignmentBundle' }] })),
      ],
      operatorText: ['The adversarial-testing plan, who ran it, and the serious incidents reported (Art. 55(1)(c)).'],
    },
    {
      title: 'GDPR Art. 30 — record of processing activities (the audit log)',
      claims: [
        { text: 'Personal data in the log: the caller identity (aip.caller) and SHA-256 digests of prompts and outputs; prompts and outputs themselves are never in the tree.', evidence: entryEv('inference') },
        { text: config === undefined ? 'Content capture: read the running node\'s audit.json.' : config.captureContent ? `Content capture is ON: ${captured} entries have prompts and outputs stored encrypted outside the tree, erasable.` : 'Content capture is OFF: no prompt or output text is stored.', evidence: config === undefined ? [] : [{ kind: 'config', ref: 'captureContent', label: `audit.json captureContent = ${config.captureContent}` }] },
        { text: config === undefined ? 'Retention: see audit.json.' : `Retention of captured content: ${config.retentionDays} days; entries, tiles and checkpoints are kept (they hold no content).`, evidence: config === undefined ? [] : [{ kind: 'config', ref: 'retentionDays', label: `audit.json retentionDays = ${config.retentionDays}` }] },
        { text: `Recipients: the federation's admitted sites may read the tiles (digests, not content) and cosign checkpoints${note === undefined ? '' : `; the latest checkpoint carries cosignatures of ${note.signatures.slice(1).map((s) => s.name).join(', ') || 'no witness yet'}`}.`, evidence: cpEv },
      ],
      operatorText: ['Controller and DPO contact details, purposes and legal basis of processing (Art. 30(1)(a)–(b)).', 'Transfers to third countries, if any site of another nation counts as one (Art. 30(1)(e)).'],
    },
  ]
  return { site: { nation: records.site.config.nation, origin: cp?.origin ?? '', vkey: await audit.vkey() }, generatedAt: now, sections }
}

/**
 * The tuning part of the public training-content summary (Art. 53(1)(d)): one claim per TuningRecord this site signed
 * (aip-v1 §4.12) — what it was tuned from, on how many data items of which alignment bundles, how many steps, and
 * whether a stranger can replay it (tune-v1 §3). Records and counts only: the items themselves never enter a report.
 */
async function trainingContent(records: RecordAccess): Promise<Claim[]> {
  const own = Buffer.from(records.site.key.publicKey).toString('hex')
  const out: Claim[] = []
  for await (const info of records.list({ type: 'TuningRecord' })) {
    if (info.signer !== own) continue
    const r = await getRecord(records, info.id)
    if (r?.type !== 'TuningRecord') continue
    const b = (r as DecodedRecord<'TuningRecord'>).body
    out.push({
      text: `Tuned from model commitment ${b.parent.toString()} on ${b.data_count} data item(s) of ${b.bundles.length} reviewed alignment bundle(s), ${b.steps} step(s) by ${b.trainer}${b.replayable ? ', replayable bit for bit from the ledger (`aip tune verify`)' : ', site-attested (not replayable)'}, ${new Date(info.created).toISOString()}.`,
      evidence: [{ kind: 'record', ref: info.id, label: 'TuningRecord' }, ...b.bundles.map((l) => ({ kind: 'record' as const, ref: l.toString(), label: 'AlignmentBundle' }))],
    })
    if (out.length >= MAX_LISTED) break
  }
  return out
}

const link = (e: Evidence): string => (e.kind === 'record' ? `records/${e.ref}` : e.kind === 'entry' ? `audit/entry/${e.ref}` : e.kind === 'checkpoint' ? 'audit/checkpoint' : `audit.json#${e.ref}`)

export function renderMarkdown(r: ComplianceReport): string {
  const out = [`# Compliance report — site ${r.site.nation}`, '', `Generated ${new Date(r.generatedAt).toISOString()} from the site's own records and audit log (\`${r.site.origin}\`, key \`${r.site.vkey}\`).`,
    'Evidence links: `records/<ID>` is a signed record (`aip records show ID`), `audit/entry/<i>` an audit-log entry (`aip audit export --from i --to i+1` gives it with its inclusion proof).', '']
  for (const s of r.sections) {
    out.push(`## ${s.title}`, '', '**Evidence**', '')
    for (const c of s.claims) out.push(`- ${c.text}${c.evidence.length ? ' — ' + c.evidence.map((e) => `[${e.label}](${link(e)})`).join(', ') : ' — *(no evidence in the log or records)*'}`)
    out.push('', '**Needs the operator\'s own text**', '', ...s.operatorText.map((t) => `- [ ] ${t}`), '')
  }
  return out.join('\n')
}

const esc = (s: string) => s.replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c]!)

export function renderHtml(r: ComplianceReport): string {
  const body = r.sections.map((s) => `<section><h2>${esc(s.title)}</h2><h3>Evidence</h3><ul>${s.claims.map((c) => `<li>${esc(c.text)}${c.evidence.length ? ' — ' + c.evidence.map((e) => `<a href="${esc(link(e))}">${esc(e.label)}</a>`).join(', ') : ' — <em>(no evidence in the log or records)</em>'}</li>`).join('')}</ul><h3>Needs the operator's own text</h3><ul>${s.operatorText.map((t) => `<li>☐ ${esc(t)}</li>`).join('')}</ul></section>`).join('\n')
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Compliance report — ${esc(r.site.nation)}</title></head><body><h1>Compliance report — site ${esc(r.site.nation)}</h1><p>Generated ${esc(new Date(r.generatedAt).toISOString())} from the site's own records and audit log (<code>${esc(r.site.origin)}</code>, key <code>${esc(r.site.vkey)}</code>).</p>\n${body}\n</body></html>\n`
}
