/**
 * Faults 2, 3 and 8 of issue 11: competing charters, a foreign root's Revocation during a fork, and federation
 * records applied in memory but never stored. Each runs against real site nodes.
 */
import { createRecord, generateSigningKey, link, ROLES } from '../../../protocol/index.ts'
import type { DecodedRecord } from '../../../protocol/index.ts'
import { benchmarkResult, seedOf } from '../../../node/net/testbed.ts'
import type { Attack } from './common.ts'
import { startSite, storedTrust, testbed } from './common.ts'

const COMPETITORS = 40

/** 2: a member root publishes many competing successors of the genesis charter: each is kept and re-alerted. */
const competingCharters: Attack = {
  fault: '2',
  name: `${COMPETITORS} competing successor charters from one root`,
  async run(work) {
    const now = Date.now()
    const bed = await testbed(work, 1, now - 120_000, 'f2')
    const site = bed.sites[0]!
    const s = await startSite(site.dir)
    try {
      const members = [{ nation: site.nation, root_key: site.rootKey.publicKey }]
      for (let i = 0; i < COMPETITORS; i++) {
        const c = createRecord('FederationCharter', { name: `competitor ${i}`, members, quorum: 1, predecessor: link(bed.charter.id) }, site.rootKey, now - 1_000 + i)
        await s.node.publish(c.bytes)
      }
      const alerts = s.events.filter((e) => e.event === 'trust_alert').length
      const successors = (await storedTrust(s.node)).successorsOf(bed.charter.id).length
      const alertBytes = s.events.filter((e) => e.event === 'trust_alert').reduce((n, e) => n + JSON.stringify(e.fields).length, 0)
      // one fork: one alert, at most two successors kept (issue 11 §What to build)
      return { succeeded: alerts > 1 || successors > 2, detail: `${alerts} alerts (${alertBytes} bytes), ${successors} successors kept in the stored trust state` }
    } finally {
      await s.node.stop()
    }
  },
}

/**
 * 3: DE rotated its root in successor S1 (approved by DE's old root) and certified its site with the new root. CH's
 * root then publishes a competing successor S2 (a fork: the chain stops at genesis, where DE's new root is unknown)
 * and a Revocation of DE's site key — which only DE's root may decide. DE's accepted result must survive.
 */
const foreignRootDeletes: Attack = {
  fault: '3',
  name: 'foreign root\'s Revocation during a fork deletes another nation\'s data',
  async run(work) {
    const now = Date.now()
    const bed = await testbed(work, 2, now - 600_000, 'f3')
    const [ch, de] = bed.sites as [typeof bed.sites[0], typeof bed.sites[0]]
    const deRoot2 = generateSigningKey(seedOf('f3:de-root-2'))
    const s = await startSite(ch.dir)
    try {
      const s1 = createRecord('FederationCharter', {
        name: 'DE rotates its root', quorum: 2, predecessor: link(bed.charter.id),
        members: [{ nation: 'CH', root_key: ch.rootKey.publicKey }, { nation: 'DE', root_key: deRoot2.publicKey }],
      }, ch.rootKey, now - 500_000)
      const approval = createRecord('CharterApproval', { charter: link(s1.id) }, de.rootKey, now - 400_000)
      const deCert = createRecord('SiteCertificate', { site_key: de.key.publicKey, nation: 'DE', roles: [...ROLES], not_before: now - 300_000, not_after: now + 86_400_000 }, deRoot2, now - 300_000)
      const result = benchmarkResult(de.key, 1, now - 200_000)
      const steps: string[] = []
      for (const r of [s1, approval, deCert, result] as DecodedRecord[]) steps.push((await s.node.publish(r.bytes)).code)
      if (!(await s.node.store.has(result.id))) return { succeeded: false, detail: `setup did not get DE's result accepted (${steps.join(', ')})` }
      const s2 = createRecord('FederationCharter', {
        name: 'fork', quorum: 1, predecessor: link(bed.charter.id), members: [{ nation: 'CH', root_key: ch.rootKey.publicKey }],
      }, ch.rootKey, now - 100_000)
      const stray = createRecord('Revocation', { target_key: de.key.publicKey, effective_from: now - 250_000, reason: 'not yours to revoke' }, ch.rootKey, now)
      const f = await s.node.publish(s2.bytes)
      const r = await s.node.publish(stray.bytes)
      await new Promise((res) => setTimeout(res, 200))
      const kept = await s.node.store.has(result.id)
      return { succeeded: !kept, detail: `fork ${f.action}/${f.code}, CH-root Revocation ${r.action}/${r.code}; DE's accepted result still stored: ${kept}` }
    } finally {
      await s.node.stop()
    }
  },
}

/** 8: a certificate buffered before its charter is placed when the charter comes, but never stored. */
const trustWithoutStorage: Attack = {
  fault: '8',
  name: 'buffered certificate placed later is trusted but not stored',
  async run(work) {
    const now = Date.now()
    const bed = await testbed(work, 1, now - 600_000, 'f8')
    const ch = bed.sites[0]!
    const frRoot = generateSigningKey(seedOf('f8:fr-root'))
    const frSite = generateSigningKey(seedOf('f8:fr-site'))
    const s = await startSite(ch.dir)
    try {
      const s1 = createRecord('FederationCharter', {
        name: 'FR joins', quorum: 1, predecessor: link(bed.charter.id),
        members: [{ nation: 'CH', root_key: ch.rootKey.publicKey }, { nation: 'FR', root_key: frRoot.publicKey }],
      }, ch.rootKey, now - 500_000)
      const frCert = createRecord('SiteCertificate', { site_key: frSite.publicKey, nation: 'FR', roles: [...ROLES], not_before: now - 400_000, not_after: now + 86_400_000 }, frRoot, now - 400_000)
      const early = await s.node.publish(frCert.bytes) // before the charter naming FR's root: IGNOREd, buffered
      await s.node.publish(s1.bytes)
      const result = benchmarkResult(frSite, 1, now - 1_000)
      const o = await s.node.publish(result.bytes)
      const certStored = await s.node.store.has(frCert.id)
      const stored = (await storedTrust(s.node)).siteStatus(frSite.publicKey, now - 1_000).status
      // trusted (its result accepted) while the certificate behind that trust is not on disk: differs after restart
      return { succeeded: o.action === 'accept' && !certStored, detail: `certificate first: ${early.action}/${early.code}; FR result ${o.action}/${o.code}; certificate stored ${certStored}; status after a restart would be ${stored}` }
    } finally {
      await s.node.stop()
    }
  },
}

export const FEDERATION_ATTACKS: Attack[] = [competingCharters, foreignRootDeletes, trustWithoutStorage]
