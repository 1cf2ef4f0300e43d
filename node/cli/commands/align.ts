/**
 * `aip align` — alignment data: import files people already have into signed bundles, scrub, publish with a TLP 2.0
 * label, review what other nations shared, export items back (specs/alignment-v1.md).
 */
import { writeFile } from 'node:fs/promises'
import { exportableOutsideFederation, TLP_LABELS, ALIGNMENT_KINDS } from '../../../protocol/index.ts'
import type { AlignmentKind, Audience, TlpLabel } from '../../../protocol/index.ts'
import type { Command } from '../command.ts'
import { UsageError, wantsHelp } from '../command.ts'
import { hexKey, output, parse, required, siteDir } from '../args.ts'
import { openRecords } from '../../records/access.ts'
import { exportItems, LAYOUTS, LayoutError } from '../../align/layouts.ts'
import type { Layout } from '../../align/layouts.ts'
import { decide, importDraft, listBundles, loadBundle, publishDraft, scrubBundle } from '../../align/service.ts'

const usage = `Usage: aip align import  --dir DIR --kind KIND --file F --name NAME --license SPDX --label TLP:X
                         [--layout L] [--language TAG] [--nations CH,FR] [--group NAME=CH,IT ...]
                         [--sites HEX,HEX] [--embargo-until ISO-8601] [--description TEXT] [--json]
       aip align scrub   --dir DIR ID [--out REPORT.json] [--json]
       aip align publish --dir DIR ID [--accept-report SHA256] [--json]
       aip align list    --dir DIR [--json]
       aip align show    --dir DIR ID [--items N] [--json]
       aip align review  --dir DIR [--json]
       aip align approve --dir DIR ID --reason TEXT [--publish] [--json]
       aip align reject  --dir DIR ID --reason TEXT [--publish] [--json]
       aip align export  --dir DIR ID --layout L --out F [--local-use]

import   reads JSON Lines (or CSV, by extension) in a layout people already use — red-team "prompts", preference
         "trl" / "trl-conversational" / "hh-rlhf", refusal "exemplars" — into a signed draft bundle; all-or-nothing,
         errors name the line. KIND: ${ALIGNMENT_KINDS.join(' | ')}. --label: ${TLP_LABELS.join(' | ')}; AMBER
         needs --nations/--group/--sites, AMBER+STRICT and RED need --sites (site keys in hex). Prints the bundle
         ID and the scrub report's summary. Nothing leaves the site until publish.
scrub    looks for structured personal data (e-mail, phone, IBAN, card, IP, CH/DE/FR/IT/EE national IDs) and
         prints the report and its SHA-256.
publish  publishes a draft through the site's records (gossiped by a running node; restricted content only as a
         manifest). Refused while the scrub has hits, unless --accept-report names that report's SHA-256.
list     drafts, own and received bundles with their status (pending | approved | rejected | incomplete).
review   the received bundles waiting for a decision.
approve, reject   record a signed decision (local; --publish also gossips it as an endorsement).
export   writes a bundle's items in a layout. Only TLP:CLEAR may leave the federation: other labels need
         --local-use (the file stays at this site, for its own evaluation or tuning).`

const csv = (v: string | undefined) => v === undefined ? undefined : v.split(',').map((s) => s.trim()).filter((s) => s !== '').sort()

function audienceOf(values: { nations?: string; group?: string[]; sites?: string }): Audience | undefined {
  const a: Audience = {}
  const nations = csv(values.nations)
  if (nations !== undefined) a.nations = [...new Set(nations)]
  if (values.group !== undefined && values.group.length > 0) {
    a.groups = values.group.map((g) => {
      const m = /^([^=]+)=(.+)$/.exec(g)
      if (m === null) throw new UsageError(`--group must be NAME=NATION,NATION (got '${g}')`)
      return { name: m[1]!, nations: [...new Set(csv(m[2])!)] }
    }).sort((x, y) => (x.name < y.name ? -1 : 1))
  }
  const sites = csv(values.sites)
  if (sites !== undefined) a.sites = [...new Set(sites.map((s) => s.toLowerCase()))].map((s) => hexKey(s, '--sites'))
  return Object.keys(a).length === 0 ? undefined : a
}

function time(v: string | undefined): number | undefined {
  if (v === undefined) return undefined
  const t = Date.parse(v)
  if (!Number.isFinite(t)) throw new UsageError(`--embargo-until must be an ISO-8601 time (got '${v}')`)
  return t
}

const command: Command = {
  summary: 'Alignment data: import, scrub, publish with TLP labels, review, export',
  usage,
  async run(argv) {
    if (wantsHelp(argv) || argv.length === 0) { console.log(usage); return argv.length === 0 ? 2 : 0 }
    const [sub, ...rest] = argv
    const { values, positionals } = parse(rest, {
      dir: { type: 'string' }, json: { type: 'boolean' }, kind: { type: 'string' }, file: { type: 'string' }, name: { type: 'string' },
      license: { type: 'string' }, label: { type: 'string' }, layout: { type: 'string' }, language: { type: 'string' },
      nations: { type: 'string' }, group: { type: 'string', multiple: true }, sites: { type: 'string' },
      'embargo-until': { type: 'string' }, description: { type: 'string' }, out: { type: 'string' }, 'accept-report': { type: 'string' },
      items: { type: 'string' }, reason: { type: 'string' }, publish: { type: 'boolean' }, 'local-use': { type: 'boolean' },
    }, usage)
    const needId = () => {
      if (positionals.length !== 1) throw new UsageError(`give exactly one bundle ID\n\n${usage}`)
      return positionals[0]!
    }
    const access = await openRecords(siteDir(values.dir, usage))
    try {
      switch (sub) {
        case 'import': {
          const kind = required(values.kind, '--kind', usage)
          if (!(ALIGNMENT_KINDS as readonly string[]).includes(kind)) throw new UsageError(`--kind must be one of ${ALIGNMENT_KINDS.join(', ')}`)
          const label = required(values.label, '--label', usage)
          if (!(TLP_LABELS as readonly string[]).includes(label)) throw new UsageError(`--label must be one of ${TLP_LABELS.join(', ')}`)
          if (values.layout !== undefined && !(LAYOUTS as readonly string[]).includes(values.layout)) throw new UsageError(`--layout must be one of ${LAYOUTS.join(', ')}`)
          const audience = audienceOf(values)
          let r
          try {
            r = await importDraft(access, required(values.file, '--file', usage), { kind: kind as AlignmentKind, layout: values.layout as Layout | undefined, language: values.language }, {
              name: required(values.name, '--name', usage), kind: kind as AlignmentKind, license: required(values.license, '--license', usage),
              label: label as TlpLabel, ...(audience === undefined ? {} : { audience }), ...(values['embargo-until'] === undefined ? {} : { embargo_until: time(values['embargo-until']) }),
              ...(values.description === undefined ? {} : { description: values.description }),
            }, Date.now())
          } catch (err) {
            if (err instanceof LayoutError) throw new UsageError(`${values.file}: ${err.message}`, 1)
            throw new UsageError((err as Error).message, 1)
          }
          output(values.json, { id: r.id, items: r.items, chunks: r.chunks, scrub_hits: r.report.hits.length, scrub_digest: r.digest }, () =>
            `draft ${r.id}: ${r.items} items in ${r.chunks === 0 ? 'the manifest' : `${r.chunks} chunks`}\nscrub: ${r.report.hits.length} possible personal data hit(s) (report ${r.digest})` +
            (r.report.hits.length > 0 ? `\nreview them with: aip align scrub --dir ${values.dir ?? '$AIP_DIR'} ${r.id}` : ''))
          return 0
        }
        case 'scrub': {
          const { report, digest } = await scrubBundle(access, needId())
          if (values.out !== undefined) await writeFile(values.out, JSON.stringify(report, null, 2) + '\n')
          output(values.json, { ...report, digest }, () => [
            ...report.hits.map((h) => `${h.item} ${h.field} @${h.offset}: ${h.detector} ${h.excerpt}`),
            `${report.hits.length} hit(s) in ${report.items} items; report SHA-256 ${digest}`,
          ].join('\n'))
          return 0
        }
        case 'publish': {
          const outcomes = await publishDraft(access, needId(), values['accept-report']).catch((err: Error) => { throw new UsageError(err.message, 1) })
          output(values.json, outcomes, () => outcomes.map((o) => `${o.action} ${o.code} ${o.id ?? ''}`).join('\n'))
          return outcomes.every((o) => o.action === 'accept' || o.code === 'duplicate') ? 0 : 1
        }
        case 'list': case 'review': {
          const all = await listBundles(access)
          const rows = sub === 'review' ? all.filter((b) => b.status === 'pending') : all
          output(values.json, rows, () => rows.length === 0 ? (sub === 'review' ? 'nothing waits for review' : 'no bundles') :
            rows.map((b) => `${b.id}  ${b.status.padEnd(10)} ${b.label.padEnd(16)} ${b.kind.padEnd(16)} ${String(b.items).padStart(6)} items  ${b.name}`).join('\n'))
          return 0
        }
        case 'show': {
          const id = needId()
          const b = await loadBundle(access, id)
          if (b === undefined) throw new UsageError(`no bundle ${id} at this site`, 1)
          const n = values.items === undefined ? 5 : Number(values.items)
          const body = b.record.body
          const view = { id, draft: b.draft, name: body.name, kind: body.kind, label: body.label, license: body.license, item_count: body.item_count, chunks: body.chunks?.length ?? 0,
            audience: body.audience === undefined ? undefined : { ...body.audience, sites: body.audience.sites?.map((k) => Buffer.from(k).toString('hex')) },
            embargo_until: body.embargo_until, complete: b.items !== undefined, items: b.items?.slice(0, n) }
          output(values.json, view, () => JSON.stringify(view, null, 2))
          return 0
        }
        case 'approve': case 'reject': {
          const r = await decide(access, needId(), sub, required(values.reason, '--reason', usage), Date.now(), values.publish ?? false)
            .catch((err: Error) => { throw new UsageError(err.message, 1) })
          output(values.json, r, () => `${sub === 'approve' ? 'approved' : 'rejected'}: review ${r.review}${r.outcome === undefined ? '' : ` (published: ${r.outcome.action} ${r.outcome.code})`}`)
          return 0
        }
        case 'export': {
          const id = needId()
          const layout = required(values.layout, '--layout', usage)
          if (!(LAYOUTS as readonly string[]).includes(layout)) throw new UsageError(`--layout must be one of ${LAYOUTS.join(', ')}`)
          const b = await loadBundle(access, id)
          if (b === undefined || b.items === undefined) throw new UsageError(`no complete bundle ${id} at this site`, 1)
          if (!exportableOutsideFederation(b.record.body.label) && !values['local-use']) {
            throw new UsageError(`${b.record.body.label} content must not leave the federation; pass --local-use to write it for this site's own use`, 1)
          }
          const out = required(values.out, '--out', usage)
          await writeFile(out, exportItems(b.items, layout as Layout, out.toLowerCase().endsWith('.csv') ? 'csv' : 'jsonl'), { mode: 0o600 })
          console.log(`wrote ${b.items.length} items to ${out}`)
          return 0
        }
        default:
          throw new UsageError(`unknown subcommand '${sub}'\n\n${usage}`)
      }
    } finally {
      await access.close()
    }
  },
}
export default command
