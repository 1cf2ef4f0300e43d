import { ROLES } from '../../../protocol/index.ts'
import type { Command } from '../command.ts'
import { UsageError, wantsHelp } from '../command.ts'
import { hexKey, parse, siteDir } from '../args.ts'
import { openRecords } from '../../records/access.ts'
import { checkNation } from '../../site/dir.ts'
import { peerIdOfPublicKey } from '../../site/peer-id.ts'
import { publishSigned, rootKeyOf, signRecord } from '../sign.ts'

const DAY_MS = 24 * 3600 * 1000

const usage = `Usage: aip cert issue --dir ROOTSITE (--site-key HEX | --self) [--nation CC] [--roles R,R] [--name NAME] [--valid-days N]
                     [--out FILE] [--json]

The nation root key held in ROOTSITE certifies another site's public key (\`aip id --dir OTHER\` prints it): a
SiteCertificate for nation CC (default: ROOTSITE's nation) with roles (default: ${ROLES.join(',')}), valid from now for
N days (default 365). The root key never leaves ROOTSITE: only the signed certificate does. It is stored (and
gossiped, if the node runs) at ROOTSITE; --out also writes it to FILE for \`aip import\` at other sites.
--self certifies ROOTSITE's own site key (after joining a federation, a site re-certifies itself under the new
charter: a certificate counts only if its root was a member when the certificate was created).`

async function issue(argv: string[]): Promise<number> {
  const { values } = parse(argv, {
    dir: { type: 'string' }, json: { type: 'boolean' }, 'site-key': { type: 'string' }, self: { type: 'boolean' }, nation: { type: 'string' },
    roles: { type: 'string' }, name: { type: 'string' }, 'valid-days': { type: 'string' }, out: { type: 'string' },
  }, usage)
  if (values.self === (values['site-key'] !== undefined)) throw new UsageError(`give exactly one of --site-key and --self\n\n${usage}`)
  const days = values['valid-days'] === undefined ? 365 : Number(values['valid-days'])
  if (!Number.isInteger(days) || days < 1) throw new UsageError('--valid-days must be a positive integer')
  const roles = values.roles === undefined ? [...ROLES] : values.roles.split(',').map((r) => r.trim()).filter((r) => r !== '')
  const access = await openRecords(siteDir(values.dir, usage))
  try {
    const nation = values.nation ?? access.site.config.nation
    try {
      checkNation(nation)
    } catch (err) {
      throw new UsageError((err as Error).message)
    }
    const siteKey = values.self ? access.site.key.publicKey : hexKey(values['site-key']!, '--site-key')
    const root = await rootKeyOf(access.site)
    const now = Date.now()
    const body = { site_key: siteKey, nation, roles, not_before: now, not_after: now + days * DAY_MS, ...(values.name ? { name: values.name } : {}) }
    const cert = signRecord('SiteCertificate', body, root, now)
    return await publishSigned(access, cert, { out: values.out, json: values.json, extra: { peerId: peerIdOfPublicKey(siteKey).toString(), nation, roles } })
  } finally {
    await access.close()
  }
}

const command: Command = {
  summary: 'Certify another site\'s key with this site\'s nation root (cert issue)',
  usage,
  async run(argv) {
    const [sub, ...rest] = argv
    if (sub === undefined || wantsHelp([sub]) || wantsHelp(rest)) { console.log(usage); return sub === undefined ? 2 : 0 }
    if (sub === 'issue') return issue(rest)
    throw new UsageError(`unknown subcommand '${sub}'\n\n${usage}`)
  },
}
export default command
