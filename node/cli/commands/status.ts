/** `aip status --dir D`: the running node's status, through its local API. */
import { parseArgs } from 'node:util'
import { connectToNode } from '../../api/index.ts'
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
    let values
    try {
      ({ values } = parseArgs({ args: argv, options: { dir: { type: 'string' }, json: { type: 'boolean' } }, strict: true }))
    } catch (err) {
      throw new UsageError((err as Error).message)
    }
    if (values.dir === undefined) throw new UsageError('--dir is required\n\n' + usage)
    const client = await connectToNode(values.dir)
    if (client === undefined) throw new UsageError(`no node is running on ${values.dir} (start one with \`aip start --dir ${values.dir}\`)`, 1)
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
