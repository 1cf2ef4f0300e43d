/**
 * A trust-state fingerprint from public APIs: SHA-256 over what the state answers — the charter chain in effect, the
 * and each certified key's status at its certificate's time and an hour later. Uses the node's own
 * `trust.fingerprint()` when it has one (issue 11), else the trust state rebuilt from the store.
 */
import { createHash } from 'node:crypto'
import type { SiteNode } from '../../node/site-node.ts'
import { loadTrust } from '../../node/store/trust.ts'
import type { TrustState } from '../../protocol/index.ts'
import { decodeRecord } from '../../protocol/index.ts'

export async function trustFingerprint(node: SiteNode): Promise<string> {
  const own = (node as unknown as { trust?: { fingerprint?: () => string } }).trust
  if (typeof own?.fingerprint === 'function') return own.fingerprint()
  const trust: TrustState = await loadTrust(node.store, node.site.config.genesisCharter)
  const h = createHash('sha256')
  const chain: string[] = []
  for (let e = trust.currentCharter(); e !== undefined;) {
    chain.push(`${e.charter.id}@${e.effectiveFrom}`)
    const pred = e.charter.predecessorId
    e = pred === null ? undefined : (trust.charterAt(e.effectiveFrom - 1))
    if (chain.length > 64) break
  }
  h.update(chain.join(','))
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
