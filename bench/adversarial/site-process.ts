/**
 * A site in its own process, for bench/adversarial.ts (kill -9 loop, flood victim, memory under pending peers).
 * Precompiled like `aip start` (bin/compiled.js, so narrow imports: no node/index.ts) and started as
 * `node --expose-gc BUNDLE DIR BOOTSTRAP [OPTIONS_JSON]`; speaks JSON lines:
 *   out {ready, peerId, addr, fp, source}   once started (fp: trust fingerprint, bench/adversarial/fingerprint.ts)
 *   out {acked: id, at}             each record durably stored (the site's acknowledgement), at wall-clock ms
 *   in  "fp"  → out {fp, source}    the trust fingerprint now
 *   in  "mem" → out {mem}           heap + external bytes after GC
 *   in  "pending" → out {pending}   the most bytes the node's door ever held for peers still in hello (its own
 *                                   count, node.records.queues.pendingBytesMax; null when the node keeps none)
 */
import '../../node/polyfill.ts'
import { createInterface } from 'node:readline'
import { startSiteNode } from '../../node/site-node.ts'
import type { SiteNodeOptions } from '../../node/site-node.ts'
import { trustFingerprint } from './fingerprint.ts'

const [dir, bootstrap, optionsJson] = process.argv.slice(2)
/** Optional third argument: JSON of the SiteNodeOptions a benchmark sets (signerLimits). */
const options = (optionsJson ? JSON.parse(optionsJson) : {}) as Pick<SiteNodeOptions, 'signerLimits'>
/** Wall-clock ms with sub-ms resolution, comparable across processes on this machine. */
const wall = () => performance.timeOrigin + performance.now()
const say = (o: object) => process.stdout.write(`${JSON.stringify(o)}\n`)
const node = await startSiteNode(dir!, {
  listen: ['/ip4/127.0.0.1/tcp/0'], bootstrap: bootstrap ? [bootstrap] : [], api: false, sync: false, log: () => undefined,
  ...options,
  onStored: (r) => say({ acked: r.id, at: wall() }),
})
say({ ready: true, peerId: node.network.host.peerId.toString(), addr: node.addrs().find((a) => a.includes('/tcp/') && a.includes('/p2p/')), ...(await trustFingerprint(node)) })
for await (const line of createInterface({ input: process.stdin })) {
  if (line === 'fp') say(await trustFingerprint(node))
  if (line === 'pending') {
    const queues = (node as unknown as { records?: { queues?: { pendingBytesMax?: number } } }).records?.queues
    say({ pending: queues?.pendingBytesMax ?? null })
  }
  if (line === 'mem') {
    const gc = (globalThis as { gc?: () => void }).gc
    gc?.(); gc?.()
    const m = process.memoryUsage()
    say({ mem: m.heapUsed + m.external })
  }
}
