/** `aip peers --dir D`: the running node's connected peers and whether each passed the hello handshake. */
import { output, parse, runningNode, siteDir } from '../args.ts'
import type { Command } from '../command.ts'
import { wantsHelp } from '../command.ts'
import type { PeerInfo } from '../../net/network.ts'

const usage = `Usage: aip peers --dir DIR [--json]

Lists the peers connected to the node running on DIR: peer id, nation and certificate (once admitted by the
/aip/hello/1.0.0 handshake), addresses and gossipsub score. Exits 1 when no node runs on DIR.

Options:
  --dir DIR   the site directory
  --json      one JSON array
  -h, --help  this help`

const command: Command = {
  summary: 'List the running node\'s peers (admitted or pending, nation, score)',
  usage,
  async run(argv) {
    if (wantsHelp(argv)) {
      console.log(usage)
      return 0
    }
    const { values } = parse(argv, { dir: { type: 'string' }, json: { type: 'boolean' } }, usage)
    const dir = siteDir(values.dir, usage)
    const client = await runningNode(dir)
    const peers = (await client.peers()) as PeerInfo[]
    output(values.json, peers, () => (peers.length === 0
      ? 'no peers connected'
      : peers.map((p) => `${p.peerId}  ${p.admitted ? `admitted ${p.nation ?? ''}` : 'pending'}  score ${p.score.toFixed(1)}  ${p.addresses.join(' ')}`).join('\n')))
    return 0
  },
}
export default command
