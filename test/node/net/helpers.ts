/** Shared by the network tests: start testbed sites on 127.0.0.1, connect them, wait for conditions. */
import '../../../node/polyfill.ts'
import { startSiteNode } from '../../../node/site-node.ts'
import type { SiteNode, SiteNodeOptions } from '../../../node/site-node.ts'
import type { NetLog } from '../../../node/net/log.ts'

export interface LoggedNode {
  node: SiteNode
  events: Array<{ event: string, fields: Record<string, unknown> }>
}

/** Starts a site node on an ephemeral 127.0.0.1 port, without the HTTP API, collecting its log events. */
export async function startNode(dir: string, opts: SiteNodeOptions = {}): Promise<LoggedNode> {
  const events: LoggedNode['events'] = []
  const log: NetLog = (event, fields = {}) => { events.push({ event, fields }) }
  const node = await startSiteNode(dir, { listen: ['/ip4/127.0.0.1/tcp/0'], bootstrap: [], api: false, log, ...opts })
  return { node, events }
}

/** Polls `cond` every 20 ms until it holds; fails with `what` after `timeoutMs`. */
export async function until(cond: () => boolean | Promise<boolean>, what: string, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs
  while (!(await cond())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`)
    await new Promise((r) => setTimeout(r, 20))
  }
}

/** The first listen address of a node, with /p2p/PEERID. */
export function addrOf(node: SiteNode): string {
  const a = node.addrs().find((x) => x.includes('/tcp/') && x.includes('/p2p/'))
  if (a === undefined) throw new Error(`no /p2p/ address among ${node.addrs().join(' ')}`)
  return a
}

export const admittedCount = (node: SiteNode): number => node.network.gate.admittedPeers().length

/** Mesh peers of a node on a topic (gossipsub exposes getMeshPeers on its implementation). */
export function meshSize(node: SiteNode, topic: string): number {
  return (node.network.host.pubsub as unknown as { getMeshPeers(t: string): string[] }).getMeshPeers(topic).length
}
