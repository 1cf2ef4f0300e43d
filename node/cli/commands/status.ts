/** `aip status --dir D`: the running node's status, through its local API. */
import { connectToNode } from '../../api/index.ts'
import { parse, siteDir } from '../args.ts'
import type { Command } from '../command.ts'
import { UsageError, wantsHelp } from '../command.ts'

const usage = `Usage: aip status --dir DIR [--json]

Asks the node running on DIR (\`aip start --dir DIR\`) for its status: peer id, addresses, records stored, peers,
validation outcomes by code. Exits 1 when no node runs on DIR.

Options:
  --dir DIR   the site directory
  --json      one JSON object
  -h, --help  this help`

const command: Command = {
  summary: 'Show the running node\'s status (peer id, addresses, records, peers, validation outcomes)',
  usage,
  async run(argv) {
    if (wantsHelp(argv)) {
      console.log(usage)
      return 0
    }
    const { values } = parse(argv, { dir: { type: 'string' }, json: { type: 'boolean' } }, usage)
    const dir = siteDir(values.dir, usage)
    const client = await connectToNode(dir)
    if (client === undefined) throw new UsageError(`no node is running on ${dir} (start one with \`aip start --dir ${dir}\`)`, 1)
    const status = await client.status()
    if (values.json === true) {
      console.log(JSON.stringify(status))
      return 0
    }
    for (const [k, v] of Object.entries(status)) console.log(`${k.padEnd(14)} ${typeof v === 'object' ? JSON.stringify(v) : String(v)}`)
    return 0
  },
}
export default command
