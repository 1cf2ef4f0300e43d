/** `aip ui --dir D`: a one-time login URL for the dashboard of the node running on D (node/ui). */
import { readApiToken } from '../../site/dir.ts'
import { UsageError } from '../command.ts'
import { output, parse, runningNode, siteDir } from '../args.ts'
import type { Command } from '../command.ts'
import { wantsHelp } from '../command.ts'

const usage = `Usage: aip ui --dir DIR [--json]

Prints a URL that opens the dashboard of the node running on DIR (\`aip start --dir DIR\`) and logs the browser in:
the URL's token works once, within two minutes, and becomes an HttpOnly, SameSite=Strict session cookie. The
dashboard fetches raw records from the node and verifies every signature and certificate in the browser itself.

Options:
  --dir DIR   the site directory
  --json      one JSON object {url, expiresAt}
  -h, --help  this help`

const command: Command = {
  summary: 'Print a one-time login URL for the node\'s dashboard',
  usage,
  async run(argv) {
    if (wantsHelp(argv)) {
      console.log(usage)
      return 0
    }
    const { values } = parse(argv, { dir: { type: 'string' }, json: { type: 'boolean' } }, usage)
    const dir = siteDir(values.dir, usage)
    const client = await runningNode(dir)
    const res = await fetch(`${client.url}/ui/login-token`, { method: 'POST', headers: { authorization: `Bearer ${await readApiToken(dir)}` } })
    const body = await res.json() as { url?: string; expiresAt?: number; message?: string }
    if (!res.ok || body.url === undefined) throw new UsageError(`the node refused a login token: ${body.message ?? res.status}`, 1)
    output(values.json, body, () => `${body.url}\n(works once, until ${new Date(body.expiresAt ?? 0).toISOString()})`)
    return 0
  },
}
export default command
