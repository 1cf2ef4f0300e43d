/** `aip status --dir D`: the running node's status, through its local API. */
import { output, parse, runningNode, siteDir } from '../args.ts'
import type { Command } from '../command.ts'
import { wantsHelp } from '../command.ts'

const usage = `Usage: aip status --dir DIR [--json]

Asks the node running on DIR (\`aip start --dir DIR\`) for its status: peer id, addresses, records stored, peers,
validation outcomes by code, and the self-check of the patches into dependencies (node/net/patches/README.md:
\`patches: {yamuxWindow: "ok", ...}\`). Exits 1 when no node runs on DIR.

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
    const client = await runningNode(dir)
    const status = await client.status()
    output(values.json, status, () => Object.entries(status).map(([k, v]) => `${k.padEnd(14)} ${typeof v === 'object' ? JSON.stringify(v) : String(v)}`).join('\n'))
    return 0
  },
}
export default command
