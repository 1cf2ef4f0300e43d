/**
 * Faults 5 and 6 of issue 11: what a peer still in hello can make a site do, and who pays for a signer over its
 * limits. Real libp2p over 127.0.0.1: a raw host with a fresh identity speaks the hello protocol by hand.
 */
import { multiaddr } from '@multiformats/multiaddr'
import { lpStream } from '@libp2p/utils'
import { createRecord, generateSigningKey, link, ROLES } from '../../../protocol/index.ts'
import { HELLO_PROTOCOL } from '../../../node/net/constants.ts'
import { encodeHello } from '../../../node/net/hello-message.ts'
import { createSiteHost } from '../../../node/net/host.ts'
import { benchmarkResult, seedOf } from '../../../node/net/testbed.ts'
import { keyFromSeed } from '../../../node/site/keys.ts'
import type { Attack, LoggedSite } from './common.ts'
import { startSite, testbed } from './common.ts'

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))
async function until(cond: () => boolean | Promise<boolean>, ms: number): Promise<boolean> {
  const end = Date.now() + ms
  while (Date.now() < end) {
    if (await cond()) return true
    await sleep(25)
  }
  return cond()
}

/**
 * 5: an uncertified identity sends a hello whose certificate it does not hold (its own self-signed one) and whose
 * federation list carries a genuine record the site lacks (DE's certificate, public). Refused — but is it stored?
 */
const helloBeforeAdmission: Attack = {
  fault: '5',
  name: 'refused hello still delivers its records',
  async run(work) {
    const now = Date.now()
    const bed = await testbed(work, 2, now - 120_000, 'p5')
    const [ch, de] = bed.sites as [typeof bed.sites[0], typeof bed.sites[0]]
    const s = await startSite(ch.dir)
    const key = await keyFromSeed(seedOf(`p5:outsider:${now}`))
    const outsider = await createSiteHost({ key, listen: ['/ip4/127.0.0.1/tcp/0'], appSpecificScore: () => 0 })
    try {
      const ownCert = createRecord('SiteCertificate', { site_key: key.publicKey, nation: 'CH', roles: [...ROLES], not_before: now - 1000, not_after: now + 86_400_000 }, key, now - 1000)
      const addr = s.node.addrs().find((a) => a.includes('/tcp/') && a.includes('/p2p/'))!
      const conn = await outsider.libp2p.dial(multiaddr(addr))
      const stream = await conn.newStream(HELLO_PROTOCOL)
      const lp = lpStream(stream)
      await lp.write(encodeHello({ certificate: ownCert.bytes, federation: [bed.charter.bytes, de.certificate.bytes] }))
      await lp.read({ signal: AbortSignal.timeout(3000) }).catch(() => undefined)
      const refused = await until(() => [...s.node.network.gate.refusals.values()].reduce((a, b) => a + b, 0) > 0, 3000)
      const stored = await s.node.store.has(de.certificate.id)
      return { succeeded: stored, detail: `hello refused: ${refused}; the record it carried stored anyway: ${stored}` }
    } finally {
      await outsider.libp2p.stop()
      await s.node.stop()
    }
  },
}

/**
 * 6: FR's certified key goes over its rate limit; DE, an honest site, relays the burst to CH. CH must not score DE
 * down for FR's overrun (network-v1 §7): DE stays connected and above the graylist threshold.
 */
const relayGraylisted: Attack = {
  fault: '6',
  name: 'honest relay scored down for another signer\'s burst',
  async run(work) {
    const now = Date.now()
    const bed = await testbed(work, 3, now - 120_000, 'p6')
    const [ch, de, fr] = bed.sites as [typeof bed.sites[0], typeof bed.sites[0], typeof bed.sites[0]]
    const victim = await startSite(ch.dir, { signerLimits: { ratePerS: 1, burst: 2, quotaRecords: 100_000, quotaBytes: 1 << 30 } })
    const addr = victim.node.addrs().find((a) => a.includes('/tcp/') && a.includes('/p2p/'))!
    const relay = await startSite(de.dir, { bootstrap: [addr] })
    try {
      const deId = relay.node.network.host.peerId.toString()
      await until(() => victim.node.peers().some((p) => p.peerId === deId && p.admitted), 10_000)
      await relay.node.publish(fr.certificate.bytes)
      await sleep(500)
      for (let i = 0; i < 40; i++) await relay.node.publish(benchmarkResult(fr.key, i, now).bytes)
      await sleep(2_000)
      const info = victim.node.peers().find((p) => p.peerId === deId)
      const score = info?.score ?? Number.NEGATIVE_INFINITY
      return { succeeded: info === undefined || score < -50, detail: info === undefined ? 'the relay was disconnected' : `the relay's score at the victim: ${score.toFixed(1)}` }
    } finally {
      await relay.node.stop()
      await victim.node.stop()
    }
  },
}

/** Sends one hello from a fresh identity (presenting its own, self-signed certificate) and waits for the refusal. */
async function refusedHello(site: LoggedSite, label: string, federation: Uint8Array[]): Promise<void> {
  const now = Date.now()
  const key = await keyFromSeed(seedOf(label))
  const host = await createSiteHost({ key, listen: ['/ip4/127.0.0.1/tcp/0'], appSpecificScore: () => 0 })
  try {
    const ownCert = createRecord('SiteCertificate', { site_key: key.publicKey, nation: 'CH', roles: [...ROLES], not_before: now - 1000, not_after: now + 86_400_000 }, key, now - 1000)
    const conn = await host.libp2p.dial(multiaddr(site.node.addrs().find((a) => a.includes('/tcp/') && a.includes('/p2p/'))!))
    const lp = lpStream(await conn.newStream(HELLO_PROTOCOL), { maxDataLength: 1 << 20 })
    await lp.write(encodeHello({ certificate: ownCert.bytes, federation }))
    await lp.read({ signal: AbortSignal.timeout(3000) }).catch(() => undefined)
  } finally {
    await Promise.resolve(host.libp2p.stop()).catch(() => undefined)
  }
}

/** 2b: an uncertified identity's hello carries 255 competing charters (a rogue member root made them; anyone carries). */
const helloCharters: Attack = {
  fault: '2b',
  name: 'refused hello delivers 255 competing charters',
  async run(work) {
    const now = Date.now()
    const bed = await testbed(work, 1, now - 120_000, 'p2b')
    const site = bed.sites[0]!
    const s = await startSite(site.dir)
    try {
      const members = [{ nation: site.nation, root_key: site.rootKey.publicKey }]
      const charters = Array.from({ length: 255 }, (_, i) => createRecord('FederationCharter', { name: `rogue ${i}`, members, quorum: 1, predecessor: link(bed.charter.id) }, site.rootKey, now - 1_000 + i).bytes)
      await refusedHello(s, `p2b:${now}`, charters)
      await sleep(500)
      const alerts = s.events.filter((e) => e.event === 'trust_alert').length
      let stored = 0
      for await (const _ of s.node.store.list({ type: 'FederationCharter' })) stored++
      return { succeeded: alerts > 0 || stored > 1, detail: `after the refused hello: ${alerts} trust alerts, ${stored - 1} of its charters stored` }
    } finally {
      await s.node.stop()
    }
  },
}

/**
 * 5b: a legitimate CharterApproval (FR joins) waits in the trust state for its charter; 17 refused hellos, each
 * carrying 256 certificates from an unknown root (all buffered), push it out of the 4,096-slot buffer. The charter
 * then arrives: does it take effect (is FR's first certificate accepted)?
 */
const evictApproval: Attack = {
  fault: '5b',
  name: '17 refused hellos evict a pending CharterApproval',
  async run(work) {
    const now = Date.now()
    const bed = await testbed(work, 2, now - 600_000, 'p5b')
    const [ch, de] = bed.sites as [typeof bed.sites[0], typeof bed.sites[0]]
    const s = await startSite(ch.dir)
    try {
      const frRoot = generateSigningKey(seedOf('p5b:fr-root'))
      const s1 = createRecord('FederationCharter', {
        name: 'FR joins', quorum: 2, predecessor: link(bed.charter.id),
        members: [{ nation: 'CH', root_key: ch.rootKey.publicKey }, { nation: 'DE', root_key: de.rootKey.publicKey }, { nation: 'FR', root_key: frRoot.publicKey }],
      }, de.rootKey, now - 500_000)
      const approval = createRecord('CharterApproval', { charter: link(s1.id) }, ch.rootKey, now - 400_000)
      const a = await s.node.publish(approval.bytes) // its charter is not known yet: it waits
      const rogue = generateSigningKey(seedOf('p5b:rogue-root'))
      for (let h = 0; h < 17; h++) {
        const certs = Array.from({ length: 256 }, (_, i) => createRecord('SiteCertificate', {
          site_key: generateSigningKey(seedOf(`p5b:${h}:${i}`)).publicKey, nation: 'CH', roles: ['evaluator'], not_before: now - 1000, not_after: now + 86_400_000,
        }, rogue, now - 1000).bytes)
        await refusedHello(s, `p5b:${now}:${h}`, certs)
        await sleep(250) // libp2p admits at most 5 inbound connections per second from one address
      }
      const c = await s.node.publish(s1.bytes)
      const frCert = createRecord('SiteCertificate', {
        site_key: generateSigningKey(seedOf('p5b:fr-site')).publicKey, nation: 'FR', roles: ['evaluator'], not_before: now - 1000, not_after: now + 86_400_000,
      }, frRoot, now - 1000)
      const f = await s.node.publish(frCert.bytes)
      return { succeeded: f.action !== 'accept', detail: `approval first: ${a.action}/${a.code}; charter ${c.action}/${c.code}; FR's certificate (needs the approval): ${f.action}/${f.code}` }
    } finally {
      await s.node.stop()
    }
  },
}

export const PEER_ATTACKS: Attack[] = [helloCharters, helloBeforeAdmission, evictApproval, relayGraylisted]
