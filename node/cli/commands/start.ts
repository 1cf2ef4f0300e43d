/** `aip start --dir D`: runs the site node until SIGINT/SIGTERM; structured JSON logs on stdout. */
import { parse, siteDir } from '../args.ts'
import type { Command } from '../command.ts'
import { UsageError, wantsHelp } from '../command.ts'

const usage = `Usage: aip start --dir DIR [--listen MULTIADDR]... [--bootstrap MULTIADDR]... [--no-egress-guard]

Runs the site node of DIR: libp2p (gated gossip of signed records), the record store and the local HTTP API.
Logs are JSON lines on stdout. Stops cleanly on SIGINT or SIGTERM. While it runs, other aip commands on DIR go
through its API (DIR/node.json says where it listens).

The egress guard (specs/alignment-v1.md §6) is on by default: it indexes the model files of config.json
\`egress.weights\` (default DIR/models) and blocks, before encryption, any send that carries a window of them.
\`aip status\` shows it. config.json \`egress: { "guard": false }\` or --no-egress-guard turns it off.

Options:
  --dir DIR             the site directory (created by \`aip init\`)
  --listen MULTIADDR    listen address instead of the config's (repeatable), e.g. /ip4/127.0.0.1/tcp/4001
  --bootstrap MULTIADDR peer to dial instead of the config's list (repeatable), with /p2p/PEERID
  --no-egress-guard     run without the egress guard (alignment-v1 §6), whatever config.json says
  -h, --help            this help`

const command: Command = {
  summary: 'Run the site node (libp2p gossip, store, local API) until SIGINT/SIGTERM',
  usage,
  async run(argv) {
    if (wantsHelp(argv)) {
      console.log(usage)
      return 0
    }
    const { values, positionals } = parse(argv, {
      dir: { type: 'string' }, listen: { type: 'string', multiple: true }, bootstrap: { type: 'string', multiple: true },
      'no-egress-guard': { type: 'boolean' },
    }, usage)
    if (positionals.length > 0) throw new UsageError(`unexpected argument '${positionals[0]}'\n\n${usage}`)
    const dir = siteDir(values.dir, usage)
    // bin/aip.js runs `aip start` precompiled (bin/compiled.js defines AIP_PRECOMPILED); through tsx only as a fallback
    const runtime = process.env.AIP_PRECOMPILED === '1' ? 'precompiled' : 'tsx'
    const { VERIFIER } = await import('../../../protocol/index.ts')
    process.stdout.write(JSON.stringify({ t: new Date().toISOString(), event: 'starting', dir, runtime, verifier: VERIFIER, pid: process.pid }) + '\n')
    const { startSiteNode } = await import('../../site-node.ts')
    let node
    try {
      node = await startSiteNode(dir, {
        listen: values.listen, bootstrap: values.bootstrap,
        // alignment-v1 §6: on unless the operator says otherwise (undefined = config.json's `egress` settings)
        ...(values['no-egress-guard'] === true ? { egress: false as const } : {}),
      })
    } catch (err) {
      const code = (err as { code?: string }).code
      if (code !== undefined && /^(store_locked|not_a_site|missing_file|insecure_mode|insecure_owner|bad_key_file|bad_config)$/.test(code)) {
        throw new UsageError((err as Error).message, 1)
      }
      throw err
    }
    const running = node
    await new Promise<void>((resolve) => {
      const shutdown = (signal: string): void => {
        process.stdout.write(JSON.stringify({ t: new Date().toISOString(), event: 'shutdown', signal }) + '\n')
        void running.stop().then(resolve, resolve)
      }
      process.once('SIGINT', () => shutdown('SIGINT'))
      process.once('SIGTERM', () => shutdown('SIGTERM'))
    })
    return 0
  },
}
export default command
