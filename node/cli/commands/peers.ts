/** `aip peers --dir D`: the running node's connected peers and whether each passed the hello handshake. */
import { connectToNode } from '../../api/index.ts'
import { parse, siteDir } from '../args.ts'
import type { Command } from '../command.ts'
import { UsageError, wantsHelp } from '../command.ts'
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
    const client = await connectToNode(dir)
    if (client === undefined) throw new UsageError(`no node is running on ${dir} (start one with \`aip start --dir ${dir}\`)`, 1)
    const peers = (await client.peers()) as PeerInfo[]
    if (values.json === true) {
      console.log(JSON.stringify(peers))
      return 0
    }
    if (peers.length === 0) console.log('no peers connected')
    for (const p of peers) {
      console.log(`${p.peerId}  ${p.admitted ? `admitted ${p.nation ?? ''}` : 'pending'}  score ${p.score.toFixed(1)}  ${p.addresses.join(' ')}`)
    }
    return 0
  },
}
export default command
