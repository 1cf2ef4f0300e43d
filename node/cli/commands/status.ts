/** `aip status --dir D`: the running node's status, through its local API. */
import { output, parse, runningNode, siteDir } from '../args.ts'
import type { Command } from '../command.ts'
import { wantsHelp } from '../command.ts'
import type { GuardStatus } from '../../net/egress/index.ts'

/** e.g. `on (2 weight files, 16777216 bytes indexed, 0 blocked)` or `OFF` (alignment-v1 §6). */
function guardLine(g: GuardStatus | undefined): string {
  if (g === undefined || !g.on) return 'OFF (aip start --no-egress-guard or config.json egress.guard: false)'
  const missing = g.missing.length > 0 ? `; missing: ${g.missing.join(', ')}` : ''
  return `on (${g.files} weight files, ${g.bytes} bytes indexed, ${g.blocked} blocked${missing})`
}

const usage = `Usage: aip status --dir DIR [--json]

Asks the node running on DIR (\`aip start --dir DIR\`) for its status: peer id, addresses, records stored, peers,
validation outcomes by code, and the self-check of the patches into dependencies (node/net/patches/README.md:
\`patches: {yamuxWindow: "ok", ...}\`), and the egress guard (alignment-v1 §6: on/off, weight files indexed, sends
blocked), and the operator alerts (\`alerts\`: competing charters, aip-v1 §5.2; audit logs that equivocated, audit-v1
§7.3). Exits 1 when no node runs on DIR.

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
    output(values.json, status, () => Object.entries(status).map(([k, v]) =>
      k === 'egressGuard' ? `${'egress guard'.padEnd(14)} ${guardLine(v as GuardStatus | undefined)}` : `${k.padEnd(14)} ${typeof v === 'object' ? JSON.stringify(v) : String(v)}`).join('\n'))
    return 0
  },
}
export default command
