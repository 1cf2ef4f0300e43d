/**
 * Faults 1, 4 and 9 of issue 11: what a Retraction can withdraw, what its tombstone blocks, and whether a withdrawal
 * survives a crash. Each attack runs against one real site node (level store on disk, libp2p on 127.0.0.1).
 */
import { multiaddr } from '@multiformats/multiaddr'
import { createRecord, link, ROLES } from '../../../protocol/index.ts'
import { RecordStore, sitePaths } from '../../../node/index.ts'
import { benchmarkResult } from '../../../node/net/testbed.ts'
import { kill9, startChild } from '../child.ts'
import type { Attack } from './common.ts'
import { startSite, storedTrust, testbed } from './common.ts'

const retraction = (target: string, reason: string) => ({ target: link(target), reason })

/** 1a: a site retracts its own (backdated-around) self-revocation; after a restart its key is certified again. */
const retractOwnRevocation: Attack = {
  fault: '1a',
  name: 'site retracts its own Revocation, restarts certified again',
  async run(work) {
    const now = Date.now()
    const bed = await testbed(work, 1, now - 120_000, 'r1a')
    const site = bed.sites[0]!
    let s = await startSite(site.dir)
    const revocation = createRecord('Revocation', { target_key: site.key.publicKey, effective_from: now, reason: 'key retired' }, site.key, now)
    await s.node.publish(revocation.bytes)
    // backdated: created before the revocation takes effect, so the key was still certified when it "signed" it
    const undo = createRecord('Retraction', retraction(revocation.id, 'never mind'), site.key, now - 30_000)
    const undone = await s.node.publish(undo.bytes)
    await s.node.stop()
    s = await startSite(site.dir)
    try {
      const later = benchmarkResult(site.key, 1, now + 1_000)
      const o = await s.node.publish(later.bytes)
      const status = (await storedTrust(s.node)).siteStatus(site.key.publicKey, now + 1_000).status
      return { succeeded: o.action === 'accept' || status === 'ok', detail: `Retraction ${undone.action}/${undone.code}; after restart a later record: ${o.action}/${o.code}, key status ${status}` }
    } finally {
      await s.node.stop()
    }
  },
}

/** 1b: a node that receives the Retraction before the Revocation never applies the Revocation. */
const retractionFirst: Attack = {
  fault: '1b',
  name: 'Retraction arrives before the Revocation it names',
  async run(work) {
    const now = Date.now()
    const bed = await testbed(work, 1, now - 120_000, 'r1b')
    const site = bed.sites[0]!
    const s = await startSite(site.dir)
    try {
      const revocation = createRecord('Revocation', { target_key: site.key.publicKey, effective_from: now, reason: 'key retired' }, site.key, now)
      const undo = createRecord('Retraction', retraction(revocation.id, 'pre-empt'), site.key, now - 30_000)
      const a = await s.node.publish(undo.bytes)
      const b = await s.node.publish(revocation.bytes)
      const later = benchmarkResult(site.key, 2, now + 1_000)
      const o = await s.node.publish(later.bytes)
      return { succeeded: o.action === 'accept', detail: `Retraction ${a.action}/${a.code}, Revocation ${b.action}/${b.code}, later record ${o.action}/${o.code}` }
    } finally {
      await s.node.stop()
    }
  },
}

/** 1c: a root certifies its own key as a site, retracts the genesis charter; after a restart the site has none. */
const retractGenesis: Attack = {
  fault: '1c',
  name: 'root self-certifies and retracts the genesis charter',
  async run(work) {
    const now = Date.now()
    const bed = await testbed(work, 1, now - 120_000, 'r1c')
    const site = bed.sites[0]!
    let s = await startSite(site.dir)
    const selfCert = createRecord('SiteCertificate', { site_key: site.rootKey.publicKey, nation: site.nation, roles: [...ROLES], not_before: now - 60_000, not_after: now + 86_400_000 }, site.rootKey, now - 1_000)
    const c = await s.node.publish(selfCert.bytes)
    const undo = createRecord('Retraction', retraction(bed.charter.id, 'gone'), site.rootKey, now)
    const r = await s.node.publish(undo.bytes)
    await s.node.stop()
    try {
      s = await startSite(site.dir)
    } catch (e) {
      return { succeeded: true, detail: `certificate ${c.code}, Retraction ${r.action}/${r.code}; the site no longer starts: ${(e as Error).message.slice(0, 80)}` }
    }
    try {
      const has = await s.node.store.has(bed.charter.id)
      const again = await s.node.publish(bed.charter.bytes)
      const charter = (await storedTrust(s.node)).currentCharter() !== undefined
      return { succeeded: !has || !charter, detail: `Retraction ${r.action}/${r.code}; after restart charter stored ${has}, in effect ${charter}, re-import ${again.action}/${again.code}` }
    } finally {
      await s.node.stop()
    }
  },
}

/**
 * 4: CH's site retracts an ID it does not hold: DE's result, which DE holds but CH has not fetched yet. When CH next
 * syncs with DE, it must fetch that record (signed by DE, not by the censor) like DE's others.
 */
const preemptiveRetraction: Attack = {
  fault: '4',
  name: 'pre-emptive Retraction hides another signer\'s record from sync',
  async run(work) {
    const now = Date.now()
    const bed = await testbed(work, 2, now - 120_000, 'r4')
    const [ch, de] = bed.sites as [typeof bed.sites[0], typeof bed.sites[0]]
    const victim = benchmarkResult(de.key, 7, now - 5_000)
    const control = benchmarkResult(de.key, 8, now - 5_000)
    const d = await startSite(de.dir, { sync: { onConnect: true, intervalMs: 0 } })
    await d.node.publish(victim.bytes)
    await d.node.publish(control.bytes)
    let c = await startSite(ch.dir, { sync: false })
    await c.node.publish(de.certificate.bytes)
    const censor = createRecord('Retraction', retraction(victim.id, 'censored'), ch.key, now)
    const o = await c.node.publish(censor.bytes)
    // CH goes offline and comes back (its sync index is rebuilt from disk), then syncs with DE
    await c.node.stop()
    c = await startSite(ch.dir, { sync: { onConnect: true, intervalMs: 0 } })
    try {
      await c.node.network.host.libp2p.dial(multiaddr(d.node.addrs().find((a) => a.includes('/tcp/') && a.includes('/p2p/'))!))
      const deadline = Date.now() + 10_000
      while (Date.now() < deadline && !(await c.node.store.has(control.id))) await new Promise((r) => setTimeout(r, 50))
      const synced = await c.node.store.has(control.id)
      // the two records come in the same session but are stored one after the other: give the second a moment
      const settle = Date.now() + 3_000
      while (synced && Date.now() < settle && !(await c.node.store.has(victim.id))) await new Promise((r) => setTimeout(r, 50))
      const got = await c.node.store.has(victim.id)
      if (!synced) return { succeeded: false, detail: 'inconclusive: sync did not deliver the control record within 10 s' }
      return { succeeded: !got, detail: `censoring Retraction ${o.action}/${o.code}; after sync: control record fetched ${synced}, censored record fetched ${got}` }
    } finally {
      await c.node.stop()
      await d.node.stop()
    }
  },
}

/**
 * 9: CH (its own process) receives a stream of DE results, each followed by DE's Retraction of it, and is SIGKILLed at
 * spread-out moments, eight times. After one more restart (a node may re-apply withdrawals at startup), no Retraction
 * may be on disk while the record it withdrew is still stored.
 */
const KILLS = 8
const crashBeforeTombstone: Attack = {
  fault: '9',
  name: 'SIGKILL between a Retraction and its tombstone',
  async run(work) {
    const now = Date.now()
    const bed = await testbed(work, 2, now - 120_000, 'r9')
    const [ch, de] = bed.sites as [typeof bed.sites[0], typeof bed.sites[0]]
    const pub = await startSite(de.dir)
    const addr = pub.node.addrs().find((a) => a.includes('/tcp/') && a.includes('/p2p/'))!
    const pairs: { record: string; retraction: string }[] = []
    let seq = 0
    try {
      for (let k = 0; k < KILLS; k++) {
        let acks = 0
        const child = await startChild(ch.dir, addr, () => { acks++ })
        const admitted = Date.now() + 10_000
        const killAt = () => Date.now() > deadline
        let deadline = Number.POSITIVE_INFINITY
        while (!killAt() && Date.now() < admitted + 20_000) {
          const r = benchmarkResult(de.key, seq++, now - 60_000)
          const x = createRecord('Retraction', retraction(r.id, 'withdrawn'), de.key, now - 30_000)
          pairs.push({ record: r.id, retraction: x.id })
          await pub.node.publish(r.bytes)
          await pub.node.publish(x.bytes)
          if (acks > 0 && deadline === Number.POSITIVE_INFINITY) deadline = Date.now() + 200 + ((k * 337) % 700)
          if (acks === 0 && Date.now() > admitted) break
          if (acks === 0) await new Promise((res) => setTimeout(res, 50)) // until CH is in the mesh: a trickle
        }
        await kill9(child)
      }
      // a node may re-apply withdrawals at startup: judge what one more restart leaves
      await kill9(await startChild(ch.dir, '', () => undefined))
      const broken = await brokenPairs(ch.dir, pairs)
      return { succeeded: broken.length > 0, detail: `${KILLS} kills while ${pairs.length} record/Retraction pairs streamed in: ${broken.length} Retraction(s) on disk with their record still stored` }
    } finally {
      await pub.node.stop()
    }
  },
}

/** Pairs whose Retraction is stored while the record it withdraws is stored too. */
async function brokenPairs(dir: string, pairs: readonly { record: string; retraction: string }[]): Promise<{ record: string; retraction: string }[]> {
  const store = await RecordStore.open(sitePaths(dir).store)
  try {
    const out = []
    for (const p of pairs) if ((await store.has(p.retraction)) && (await store.has(p.record))) out.push(p)
    return out
  } finally {
    await store.close()
  }
}

export const RETRACTION_ATTACKS: Attack[] = [retractOwnRevocation, retractionFirst, retractGenesis, preemptiveRetraction, crashBeforeTombstone]
