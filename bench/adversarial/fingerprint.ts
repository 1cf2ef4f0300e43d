/**
 * The trust-state fingerprint the kill -9 loop compares before and after each restart: the running node's own
 * `trust.fingerprint()` (issue 11: `SiteNode.trust`) when it exposes one — its state in memory, which a restart must
 * rebuild from disk — else the fingerprint of the state rebuilt from its store now (what a restart would load), or,
 * for a TrustState without `fingerprint()`, a SHA-256 over the answers it gives (chain in effect, alerts, each stored
 * certificate's status).
 */
import { createHash } from 'node:crypto'
import type { SiteNode } from '../../node/site-node.ts'
import { loadTrust } from '../../node/store/trust.ts'
import type { TrustState } from '../../protocol/index.ts'
import { decodeRecord } from '../../protocol/index.ts'

type Fingerprinted = { fingerprint?: () => string }

export async function trustFingerprint(node: SiteNode): Promise<{ fp: string; source: 'memory' | 'store' }> {
  const own = (node as unknown as { trust?: Fingerprinted }).trust
  if (typeof own?.fingerprint === 'function') return { fp: own.fingerprint(), source: 'memory' }
  const trust = await loadTrust(node.store, node.site.config.genesisCharter)
  const f = (trust as unknown as Fingerprinted).fingerprint
  if (typeof f === 'function') return { fp: f.call(trust), source: 'store' }
  return { fp: await answersFingerprint(node, trust), source: 'store' }
}

async function answersFingerprint(node: SiteNode, trust: TrustState): Promise<string> {
  const h = createHash('sha256')
  h.update(`${trust.currentCharter()?.charter.id}@${trust.currentCharter()?.effectiveFrom}`)
  const keys = new Map<string, number>()
  for await (const info of node.store.list({ type: 'SiteCertificate' })) {
    const bytes = await node.store.get(info.id)
    const o = bytes === undefined ? undefined : decodeRecord(bytes)
    if (o?.action === 'accept' && o.record.type === 'SiteCertificate') keys.set(Buffer.from((o.record.body as { site_key: Uint8Array }).site_key).toString('hex'), info.created)
  }
  for (const [k, created] of [...keys].sort()) {
    const key = Uint8Array.from(Buffer.from(k, 'hex'))
    for (const t of [created, created + 3_600_000]) h.update(`${k}:${t}:${trust.siteStatus(key, t).status}`)
  }
  h.update(`alerts:${trust.alerts().length}`)
  return h.digest('hex')
}
