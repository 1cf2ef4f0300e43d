import { multiaddr } from '@multiformats/multiaddr'
import type { Command } from '../command.ts'
import { UsageError, wantsHelp } from '../command.ts'
import { output, parse, siteDir } from '../args.ts'
import { saveConfig, openSite } from '../../site/dir.ts'
import { TUNE_EXTERNAL_MAX_TIMEOUT_S } from '../../tune/constants.ts'

const usage = `Usage: aip config --dir DIR [--listen MULTIADDR]... [--bootstrap MULTIADDR]... [--add-bootstrap MULTIADDR]...
                  [--api-port N] [--api-host HOST] [--metrics-public true|false]
                  [--tune-command CMD] [--tune-timeout SECONDS] [--json]

Shows the site's config.json and changes it. --listen and --bootstrap replace the lists (give them several times);
--add-bootstrap appends. A bootstrap address names its peer: /ip4/127.0.0.1/tcp/4001/p2p/12D3KooW… (see \`aip id\`).
Changes take effect at the next \`aip start\`. --tune-command and --tune-timeout set the external trainer of
\`aip tune --trainer external\` (config key "tune": {"externalCommand", "externalTimeoutSeconds"}, specs/tune-v1.md §1.1;
--tune-command '' removes it).`

function addr(a: string, flag: string): string {
  try {
    multiaddr(a)
  } catch {
    throw new UsageError(`${flag}: '${a}' is not a multiaddr`)
  }
  if (flag !== '--listen' && !a.includes('/p2p/')) throw new UsageError(`${flag}: '${a}' must end in /p2p/PEERID`)
  return a
}

const command: Command = {
  summary: 'Show or change a site\'s configuration (listen, bootstrap peers, API)',
  usage,
  async run(argv) {
    if (wantsHelp(argv)) { console.log(usage); return 0 }
    const { values } = parse(argv, {
      dir: { type: 'string' }, json: { type: 'boolean' },
      listen: { type: 'string', multiple: true }, bootstrap: { type: 'string', multiple: true },
      'add-bootstrap': { type: 'string', multiple: true }, 'api-port': { type: 'string' }, 'api-host': { type: 'string' },
      'metrics-public': { type: 'string' }, 'tune-command': { type: 'string' }, 'tune-timeout': { type: 'string' },
    }, usage)
    const site = await openSite(siteDir(values.dir, usage))
    const c = site.config
    let changed = false
    if (values.listen) { c.listen = values.listen.map((a) => addr(a, '--listen')); changed = true }
    if (values.bootstrap) { c.bootstrap = values.bootstrap.map((a) => addr(a, '--bootstrap')); changed = true }
    for (const a of values['add-bootstrap'] ?? []) {
      if (!c.bootstrap.includes(addr(a, '--add-bootstrap'))) c.bootstrap.push(a)
      changed = true
    }
    if (values['api-port'] !== undefined) {
      const port = Number(values['api-port'])
      if (!Number.isInteger(port) || port < 0 || port > 65535) throw new UsageError('--api-port must be 0..65535')
      c.api.port = port
      changed = true
    }
    if (values['api-host'] !== undefined) { c.api.host = values['api-host']; changed = true }
    if (values['metrics-public'] !== undefined) {
      if (!['true', 'false'].includes(values['metrics-public'])) throw new UsageError('--metrics-public must be true or false')
      c.api.metricsPublic = values['metrics-public'] === 'true'
      changed = true
    }
    if (values['tune-command'] !== undefined || values['tune-timeout'] !== undefined) {
      // tune-v1 §1.1 X2: kept as an unknown-to-the-loader field of config.json, read by node/tune/external.ts
      const t = c as unknown as { tune?: { externalCommand?: string; externalTimeoutSeconds?: number } }
      const tune = { ...t.tune }
      if (values['tune-command'] === '') delete tune.externalCommand
      else if (values['tune-command'] !== undefined) tune.externalCommand = values['tune-command']
      if (values['tune-timeout'] !== undefined) {
        const s = Number(values['tune-timeout'])
        if (!(s > 0) || s > TUNE_EXTERNAL_MAX_TIMEOUT_S) throw new UsageError(`--tune-timeout must be a number of seconds in (0, ${TUNE_EXTERNAL_MAX_TIMEOUT_S}]`)
        tune.externalTimeoutSeconds = s
      }
      t.tune = tune
      changed = true
    }
    if (changed) await saveConfig(site)
    if (!['127.0.0.1', '::1', 'localhost'].includes(c.api.host)) {
      console.error(`warning: the API listens on ${c.api.host}, not loopback: anyone who can reach it and holds api.token controls this site's records`)
    }
    output(values.json, c, () => JSON.stringify(c, null, 2))
    return 0
  },
}
export default command
