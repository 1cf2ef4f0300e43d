/**
 * The federation a scenario runs in, built deterministically from the seed: one root key per nation, one key per
 * site, a genesis charter listing every nation of a certified site, and a certificate per certified site. Intruders
 * get a key and a certificate from a root that is NOT in the charter (so they look like a site, but are not one).
 * Then one real site directory per site (node/site/dir.ts), its store seeded with the charter and certificates.
 */
import { join } from 'node:path'
import { createRecord, generateSigningKey, ROLES } from '../../protocol/index.ts'
import type { DecodedRecord, SigningKey } from '../../protocol/index.ts'
import { createSiteDir, defaultConfig, sitePaths, peerIdOfKey, RecordStore, writeAuditConfig, DEFAULT_AUDIT_CONFIG } from '../../node/index.ts'
import type { Rng } from '../rng.ts'
import type { Scenario, SiteSpec } from '../scenario/types.ts'

/** audit-v1 §7.4: how long a simulated witness waits for the log's own AuditCheckpoint before gossiping its view (ms). */
export const SIM_WITNESS_GOSSIP_DELAY_MS = 1_000

/** Certificates are valid this long from the run's start. */
const CERT_VALIDITY_MS = 24 * 3600 * 1000

export interface SimSiteIdentity {
  spec: SiteSpec
  key: SigningKey
  peerId: string
  certificate: DecodedRecord
  dir: string
}

export interface SimFederation {
  charter: DecodedRecord
  roots: Map<string, SigningKey>
  sites: Map<string, SimSiteIdentity>
  /** Records every site's store starts with. */
  genesis: DecodedRecord[]
}

export async function buildFederation(scenario: Scenario, rng: Rng, root: string, now: number): Promise<SimFederation> {
  const key = (): SigningKey => generateSigningKey(rng.bytes(32))
  const nations = [...new Set(scenario.sites.filter((s) => s.role !== 'intruder').map((s) => s.nation))].sort()
  const roots = new Map(nations.map((n) => [n, key()]))
  const charter = createRecord('FederationCharter', {
    name: `simulation ${scenario.name}`,
    members: nations.map((n) => ({ nation: n, root_key: (roots.get(n) as SigningKey).publicKey })),
    quorum: Math.floor(nations.length / 2) + 1,
    predecessor: null,
  }, roots.get(nations[0]) as SigningKey, now)
  const sites = new Map<string, SimSiteIdentity>()
  for (const spec of scenario.sites) {
    const siteKey = key()
    // An intruder's certificate is signed by a root of its own that no charter lists.
    const issuer = spec.role === 'intruder' ? key() : roots.get(spec.nation) as SigningKey
    const certificate = createRecord('SiteCertificate', {
      site_key: siteKey.publicKey, nation: spec.nation, roles: [...ROLES], not_before: now - 60_000, not_after: now + CERT_VALIDITY_MS, name: spec.id,
    }, issuer, now)
    sites.set(spec.id, { spec, key: siteKey, peerId: (await peerIdOfKey(siteKey)).toString(), certificate, dir: join(root, spec.id) })
  }
  // A site that joins later is certified when it joins (its certificate is gossiped then), not at genesis.
  const genesis = [charter, ...[...sites.values()].filter((s) => s.spec.role !== 'intruder' && s.spec.joins_later !== true).map((s) => s.certificate)]
  return { charter, roots, sites, genesis }
}

/** Creates the site directory and seeds its store; listen/bootstrap are set when the node starts. */
export async function createSimSiteDir(fed: SimFederation, id: string): Promise<void> {
  const s = fed.sites.get(id) as SimSiteIdentity
  const config = { ...defaultConfig(s.spec.nation, fed.charter.id), listen: [], bootstrap: [] }
  await createSiteDir(s.dir, config, s.key)
  // audit-v1 §7.4 in a run of seconds: checkpoints only on `checkpoint` events; a witness gossips the checkpoint it
  // cosigned when the log's own has not arrived within a second
  await writeAuditConfig(s.dir, { ...DEFAULT_AUDIT_CONFIG, checkpointIntervalMs: 0, witnessGossipDelayMs: SIM_WITNESS_GOSSIP_DELAY_MS })
  const store = await RecordStore.open(sitePaths(s.dir).store)
  try {
    await store.putMany(s.spec.role === 'intruder' ? [fed.charter, s.certificate] : [...new Set([...fed.genesis, s.certificate])])
  } finally {
    await store.close()
  }
}
