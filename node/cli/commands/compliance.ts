/** `aip compliance report` — a report from the site's own records and audit log (node/audit/compliance.ts). */
import { writeFile } from 'node:fs/promises'
import type { Command } from '../command.ts'
import { UsageError, wantsHelp } from '../command.ts'
import { parse, siteDir } from '../args.ts'
import { openRecords } from '../../records/access.ts'
import { openAudit } from '../../audit/access.ts'
import { readAuditConfig } from '../../audit/config.ts'
import { buildReport, renderHtml, renderMarkdown } from '../../audit/compliance.ts'

const usage = `Usage: aip compliance report --dir DIR [--format md|html] [--out FILE]

Builds a compliance report from the site's own records and audit log (EU AI Act Art. 12, Art. 53 with Annexes
XI/XII, Art. 55; GDPR Art. 30). Every claim links to the record (records/<ID>) or audit-log entry (audit/entry/<i>)
behind it; each section lists separately what needs the operator's own text. Default: Markdown on stdout.`

const command: Command = {
  summary: 'A compliance report from the site\'s own records and audit log (md or html)',
  usage,
  async run(argv) {
    if (wantsHelp(argv)) { console.log(usage); return 0 }
    const [sub, ...rest] = argv
    if (sub !== 'report') throw new UsageError(usage)
    const { values } = parse(rest, { dir: { type: 'string' }, format: { type: 'string' }, out: { type: 'string' } }, usage)
    const format = values.format ?? 'md'
    if (format !== 'md' && format !== 'html') throw new UsageError('--format is md or html')
    const dir = siteDir(values.dir, usage)
    const records = await openRecords(dir)
    const audit = await openAudit(dir)
    try {
      const report = await buildReport(records, audit, await readAuditConfig(records.site.dir), Date.now())
      const text = format === 'md' ? renderMarkdown(report) : renderHtml(report)
      if (values.out === undefined) process.stdout.write(text)
      else {
        await writeFile(values.out, text)
        console.log(`wrote ${values.out}`)
      }
      return 0
    } finally {
      await audit.close()
      await records.close()
    }
  },
}
export default command
