/** `aip peers --dir D`: the running node's connected peers and whether each passed the hello handshake. */
import { parseArgs } from 'node:util'
import { connectToNode } from '../../api/index.ts'
import type { Command } from '../command.ts'
import { UsageError, wantsHelp } from '../command.ts'

const usage = `Usage: aip peers --dir DIR [--json]

Lists the peers connected to the node running on DIR: peer id, nation and certificate (once admitted by the
/aip/hello/1.0.0 handshake), addresses and gossipsub score. Exits 1 when no node runs on DIR.

Options:
  --dir DIR   the site directory
  --json      one JSON array
  -h, --help  this help`

interface PeerJson {
  peerId: string
  admitted: boolean
  nation?: string
  certificate?: string
  addresses: string[]
  score: number
}

const command: Command = {
  summary: 'List the running node\'s peers (admitted or pending, nation, score)',
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
    const peers = (await client.peers()) as PeerJson[]
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
