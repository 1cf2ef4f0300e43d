import type { Command } from '../command.ts'
import { UsageError, wantsHelp } from '../command.ts'
import { hexKey, parse, siteDir } from '../args.ts'
import { openRecords } from '../../records/access.ts'
import { parseTime, publishSigned, recordLink, rootKeyOf, signRecord } from '../sign.ts'

const usage = `Usage: aip revoke --dir DIR (--site-key HEX | --cert ID) [--effective-from MS|ISO] [--reason TEXT] [--as-site]
                  [--out FILE] [--json]

Withdraws a site key (--site-key) or one certificate (--cert) from --effective-from on (default: now). Records the
revoked site created from then on are ignored everywhere; earlier ones stay valid (records are judged at their
created time). Signed by DIR's nation root key (the root that certified the site), or with --as-site by DIR's own
site key (a site revoking itself, e.g. a compromised key). Stored and gossiped like any record; --out writes it to
FILE for other sites. A running node disconnects a revoked peer when the revocation arrives.`

const command: Command = {
  summary: 'Revoke a site key or certificate',
  usage,
  async run(argv) {
    if (wantsHelp(argv)) { console.log(usage); return 0 }
    const { values } = parse(argv, {
      dir: { type: 'string' }, json: { type: 'boolean' }, 'site-key': { type: 'string' }, cert: { type: 'string' },
      'effective-from': { type: 'string' }, reason: { type: 'string' }, 'as-site': { type: 'boolean' }, out: { type: 'string' },
    }, usage)
    if ((values['site-key'] === undefined) === (values.cert === undefined)) throw new UsageError(`give exactly one of --site-key and --cert\n\n${usage}`)
    const now = Date.now()
    const body = {
      effective_from: values['effective-from'] === undefined ? now : parseTime(values['effective-from'], '--effective-from'),
      reason: values.reason ?? 'revoked by the operator',
      ...(values['site-key'] !== undefined ? { target_key: hexKey(values['site-key'], '--site-key') } : { target: recordLink(values.cert!, '--cert') }),
    }
    const access = await openRecords(siteDir(values.dir, usage))
    try {
      const key = values['as-site'] ? access.site.key : await rootKeyOf(access.site)
      return await publishSigned(access, signRecord('Revocation', body, key, now), { out: values.out, json: values.json })
    } finally {
      await access.close()
    }
  },
}
export default command
