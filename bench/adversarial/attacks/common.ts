/**
 * What every attack replay shares: a scripted attack on real components (testbed site directories on disk, level
 * stores, startSiteNode with libp2p on 127.0.0.1) that reports whether the attack still works. An attack is written
 * from the fault's description in issue 11, never from its fix; "succeeded" means the fault is still there.
 */
import '../../../node/polyfill.ts'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { startSiteNode } from '../../../node/index.ts'
import type { NetLog, SiteNode, SiteNodeOptions } from '../../../node/index.ts'
import { createTestbed } from '../../../node/net/testbed.ts'
import type { Testbed } from '../../../node/net/testbed.ts'
import { loadTrust } from '../../../node/store/trust.ts'
import type { TrustState } from '../../../protocol/index.ts'

export interface AttackResult {
  succeeded: boolean
  /** What was observed, in a sentence. */
  detail: string
}

export interface Attack {
  /** The fault of issue 11 it replays, e.g. '1a'. */
  fault: string
  name: string
  run(work: string): Promise<AttackResult>
}

export interface LoggedSite {
  node: SiteNode
  events: { event: string; fields: Record<string, unknown> }[]
}

/** Starts a testbed site on an ephemeral 127.0.0.1 port, without API or sync unless asked, collecting its log. */
export async function startSite(dir: string, opts: SiteNodeOptions = {}): Promise<LoggedSite> {
  const events: LoggedSite['events'] = []
  const log: NetLog = (event, fields = {}) => { events.push({ event, fields }) }
  const node = await startSiteNode(dir, { listen: ['/ip4/127.0.0.1/tcp/0'], bootstrap: [], api: false, sync: false, log, ...opts })
  return { node, events }
}

/** A fresh testbed of `n` sites in its own folder under `work`. */
export async function testbed(work: string, n: number, now: number, label: string): Promise<Testbed> {
  return createTestbed(await mkdtemp(join(work, `${label}-`)), n, now, label)
}

/** The trust state a site would rebuild from its store (what it believes after a restart). */
export function storedTrust(node: SiteNode): Promise<TrustState> {
  return loadTrust(node.store, node.site.config.genesisCharter)
}

/** Runs each attack in its own temporary folder; an attack that throws is reported as an error, not a success. */
export async function replay(attacks: readonly Attack[], print: (line: string) => void): Promise<{ attack: Attack; result: AttackResult | { error: string } }[]> {
  const out: { attack: Attack; result: AttackResult | { error: string } }[] = []
  for (const attack of attacks) {
    const work = await mkdtemp(join(tmpdir(), `aip-attack-${attack.fault}-`))
    let result: AttackResult | { error: string }
    try {
      result = await attack.run(work)
    } catch (e) {
      result = { error: e instanceof Error ? e.message : String(e) }
    } finally {
      await rm(work, { recursive: true, force: true })
    }
    out.push({ attack, result })
    const state = 'error' in result ? `ERROR ${result.error}` : `${result.succeeded ? 'SUCCEEDED' : 'failed   '} ${result.detail}`
    print(`${attack.fault.padEnd(4)} ${attack.name.padEnd(58)} ${state}`)
  }
  return out
}
