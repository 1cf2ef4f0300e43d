import type { Command } from '../command.ts'
import { wantsHelp } from '../command.ts'
import { output, parse, required, siteDir, hex } from '../args.ts'
import { initSite } from '../../site/init.ts'
import { peerIdOfKey } from '../../site/peer-id.ts'
import { SiteError } from '../../site/errors.ts'
import { UsageError } from '../command.ts'

const usage = `Usage: aip init --dir DIR --nation CC [--json]

Creates a self-sufficient development site in DIR (absent or empty): the site's Ed25519 key (its PeerId and record
signer), a nation root key, a one-member genesis federation charter signed by that root, the site's certificate, an
API token and config.json. Secret files get mode 0600. Prints the PeerId, nation and genesis charter ID.

  --dir DIR      site directory to create (or AIP_DIR)
  --nation CC    ISO 3166-1 alpha-2 nation code, e.g. CH
  --json         print one JSON object`

const command: Command = {
  summary: 'Create a new development site (keys, genesis charter, certificate)',
  usage,
  async run(argv) {
    if (wantsHelp(argv)) { console.log(usage); return 0 }
    const { values } = parse(argv, { dir: { type: 'string' }, nation: { type: 'string' }, json: { type: 'boolean' } }, usage)
    const dir = siteDir(values.dir, usage)
    const nation = required(values.nation, '--nation', usage)
    let r
    try {
      r = await initSite(dir, { nation })
    } catch (err) {
      if (err instanceof SiteError) throw new UsageError(err.message, 1)
      throw err
    }
    const info = {
      dir: r.site.dir,
      peerId: (await peerIdOfKey(r.site.key)).toString(),
      nation: r.site.config.nation,
      genesisCharter: r.charter.id,
      certificate: r.certificate.id,
      siteKey: hex(r.site.key.publicKey),
      rootKey: hex(r.charter.signer),
    }
    output(values.json, info, () => [
      `created site ${info.dir}`,
      `  peer id         ${info.peerId}`,
      `  nation          ${info.nation}`,
      `  genesis charter ${info.genesisCharter}`,
      `  certificate     ${info.certificate}`,
      `  site key        ${info.siteKey}`,
      `  root key        ${info.rootKey}`,
    ].join('\n'))
    return 0
  },
}
export default command
