import type { Command } from '../command.ts'
import { UsageError, wantsHelp } from '../command.ts'
import { hex, output, parse, siteDir } from '../args.ts'
import { peerIdOfKey } from '../../site/peer-id.ts'
import { readKeyFile } from '../../site/keys.ts'
import { sitePaths, openSite } from '../../site/dir.ts'
import { readNodeFile } from '../../api/node-file.ts'

const usage = `Usage: aip id --dir DIR [--json | --field NAME]

Prints the site's public identity: PeerId, site key, nation, the nation root key (when this directory holds it),
the pinned genesis charter, and the addresses other sites put in their bootstrap lists (the running node's, else
the configured listen addresses that have a fixed port). Nothing secret is printed. --field prints one value (peerId,
siteKey, rootKey, nation, genesisCharter, addrs) for scripts.`

const command: Command = {
  summary: 'Print the site\'s PeerId, public keys, nation and addresses',
  usage,
  async run(argv) {
    if (wantsHelp(argv)) { console.log(usage); return 0 }
    const { values } = parse(argv, { dir: { type: 'string' }, json: { type: 'boolean' }, field: { type: 'string' } }, usage)
    const site = await openSite(siteDir(values.dir, usage))
    const peerId = (await peerIdOfKey(site.key)).toString()
    let rootKey: string | null = null
    try {
      rootKey = hex((await readKeyFile(sitePaths(site.dir).rootKey)).publicKey)
    } catch { /* this site holds no root key */ }
    const node = await readNodeFile(site.dir)
    const addrs = node?.addrs.length ? node.addrs
      : site.config.listen.filter((a) => !/\/tcp\/0(\/|$)/.test(a)).map((a) => `${a}/p2p/${peerId}`)
    const info = { dir: site.dir, peerId, nation: site.config.nation, siteKey: hex(site.key.publicKey), rootKey, genesisCharter: site.config.genesisCharter, addrs }
    if (values.field !== undefined) {
      if (!(values.field in info)) throw new UsageError(`--field must be one of ${Object.keys(info).join(', ')}`)
      const v = info[values.field as keyof typeof info]
      console.log(Array.isArray(v) ? v.join('\n') : String(v))
      return 0
    }
    output(values.json, info, () => [
      `peer id         ${peerId}`,
      `nation          ${info.nation}`,
      `site key        ${info.siteKey}`,
      `root key        ${rootKey ?? '(not held here)'}`,
      `genesis charter ${info.genesisCharter}`,
      ...addrs.map((a) => `address         ${a}`),
    ].join('\n'))
    return 0
  },
}
export default command
