import type { Command } from '../command.ts'
import { UsageError, wantsHelp } from '../command.ts'
import { parse, siteDir } from '../args.ts'
import { openRecords } from '../../records/access.ts'
import { describe, ingestSequence, readSequenceFile, summary } from '../ingest-file.ts'

const usage = `Usage: aip import --dir DIR FILE [--json] [--quiet]

Imports an RFC 8742 CBOR sequence of COSE records (as written by \`aip export\`) from a regular file, or from
standard input when FILE is -. Every record is validated against the site's federation state exactly as gossip would; only accepted records are stored. Records that depend on a
later record in the file (a certificate before its charter) are retried. Reports one outcome per record with its
code, then a summary (--json: one JSON object per line, the summary last). A file that cannot be delimited to its
end (truncated, an indefinite-length item, garbage after the last record) is refused whole: nothing is imported.
An empty file is an error. A record the running node refuses as too large is reported (reject oversize) and the
import goes on. Exit 0 when every record is accepted or already stored, 1 otherwise.`

const command: Command = {
  summary: 'Import records from an RFC 8742 CBOR sequence file, validating each',
  usage,
  async run(argv) {
    if (wantsHelp(argv)) { console.log(usage); return 0 }
    const { values, positionals } = parse(argv, { dir: { type: 'string' }, json: { type: 'boolean' }, quiet: { type: 'boolean' } }, usage)
    if (positionals.length !== 1) throw new UsageError(`give exactly one FILE\n\n${usage}`)
    const file = await readSequenceFile(positionals[0])
    const access = await openRecords(siteDir(values.dir, usage))
    try {
      const outcomes = await ingestSequence(access, file)
      if (!values.quiet) for (const o of outcomes) console.log(values.json ? JSON.stringify(o) : describe(o))
      const s = { ...summary(outcomes), via: access.via }
      console.log(values.json ? JSON.stringify({ summary: s }) : `${s.records} records: ${s.accept} accepted, ${s.ignore} ignored, ${s.reject} rejected`)
      return outcomes.every((o) => o.action === 'accept' || o.code === 'duplicate') ? 0 : 1
    } finally {
      await access.close()
    }
  },
}
export default command
