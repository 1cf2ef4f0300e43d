import type { Command } from '../command.ts'
import { UsageError, wantsHelp } from '../command.ts'
import { parse, siteDir } from '../args.ts'
import { openRecords } from '../../records/access.ts'
import { describe, ingestSequence, readSequenceFile } from '../ingest-file.ts'

const usage = `Usage: aip publish --dir DIR FILE [--json]

Publishes the signed record(s) in FILE (one COSE_Sign1 record, or several as a CBOR sequence; a regular file, or -
for standard input): each is validated
against the site's federation state and, when accepted, stored. While \`aip start\` runs on DIR the records go
through the node's API and are gossiped to the federation; otherwise they are stored, and other sites get them when
they next sync with this site. Prints one outcome per record (--json: one JSON object per line). Exit 0 when every record is accepted or
already stored, 1 otherwise.`

const command: Command = {
  summary: 'Validate, store and (via a running node) gossip signed records from a file',
  usage,
  async run(argv) {
    if (wantsHelp(argv)) { console.log(usage); return 0 }
    const { values, positionals } = parse(argv, { dir: { type: 'string' }, json: { type: 'boolean' } }, usage)
    if (positionals.length !== 1) throw new UsageError(`give exactly one FILE\n\n${usage}`)
    const file = await readSequenceFile(positionals[0])
    if (file.length === 0) throw new UsageError(`${positionals[0]} is empty`, 1)
    const access = await openRecords(siteDir(values.dir, usage))
    try {
      const outcomes = await ingestSequence(access, file)
      for (const o of outcomes) console.log(values.json ? JSON.stringify({ ...o, via: access.via }) : describe(o))
      return outcomes.every((o) => o.action === 'accept' || o.code === 'duplicate') ? 0 : 1
    } finally {
      await access.close()
    }
  },
}
export default command
