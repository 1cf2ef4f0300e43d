/**
 * The load parts of the adversarial benchmark: a site process killed with SIGKILL under gossip load and restarted;
 * a certified member flooding at 10× its rate limit while an honest one publishes; fresh identities that connect and
 * send gossip without finishing hello.
 */
import '../../node/polyfill.ts'
import { multiaddr } from '@multiformats/multiaddr'
import { createRecord, ROLES } from '../../protocol/index.ts'
import { RecordStore, sitePaths } from '../../node/index.ts'
import { createSiteHost } from '../../node/net/host.ts'
import type { SiteHost } from '../../node/net/host.ts'
import { benchmarkResult, seedOf } from '../../node/net/testbed.ts'
import { TOPIC_RESULTS, TOPICS } from '../../node/net/topics.ts'
import { keyFromSeed } from '../../node/site/keys.ts'
import { startSite, testbed } from './attacks/common.ts'
import { ask, kill9, startChild } from './child.ts'

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))
const addrOf = (addrs: string[]) => addrs.find((a) => a.includes('/tcp/') && a.includes('/p2p/'))!

/** New records CH must acknowledge in a cycle before it is killed (besides the cycle's certificate). */
const ACKS_PER_CYCLE = 5

export interface Kill9Result { restarts: number; acked: number; lost: number; trustMismatch: number; meanRestartMs: number; fingerprintOf: string }

/**
 * CH runs in a child process; DE (in this process) publishes records continuously and, each cycle, one federation
 * record (a certificate for a new key). Each cycle: wait for CH to acknowledge new records, read its trust
 * fingerprint, SIGKILL it, check on disk that every acknowledged record is there, restart it and compare fingerprints.
 */
export async function kill9Loop(work: string, restarts: number, print: (l: string) => void): Promise<Kill9Result> {
  const now = Date.now()
  const bed = await testbed(work, 2, now - 120_000, 'k9')
  const [ch, de] = bed.sites as [typeof bed.sites[0], typeof bed.sites[0]]
  const pub = await startSite(de.dir)
  const acked = new Set<string>()
  /** Acknowledged records found missing after a kill (each counted once). */
  const lost = new Set<string>()
  let newAcks = 0
  const out: Kill9Result = { restarts: 0, acked: 0, lost: 0, trustMismatch: 0, meanRestartMs: 0, fingerprintOf: '' }
  let stop = false
  let seq = 0
  const load = (async () => {
    while (!stop) {
      await pub.node.publish(benchmarkResult(de.key, seq++, now).bytes).catch(() => undefined)
      await sleep(5)
    }
  })()
  let child = await startChild(ch.dir, addrOf(pub.node.addrs()), (id) => { acked.add(id); newAcks++ })
  let restartMs = 0
  try {
    for (let i = 0; i < restarts; i++) {
      const key = await keyFromSeed(seedOf(`k9:extra:${i}`))
      const cert = createRecord('SiteCertificate', { site_key: key.publicKey, nation: 'DE', roles: [...ROLES], not_before: now - 1000, not_after: now + 86_400_000 }, de.rootKey, now - 1000)
      newAcks = 0
      const deadline = Date.now() + 15_000
      await pub.node.publish(cert.bytes)
      while ((newAcks < ACKS_PER_CYCLE || !acked.has(cert.id)) && Date.now() < deadline) await sleep(10)
      const asked = await ask(child, 'fp')
      const before = asked.fp as string
      out.fingerprintOf = `trust in ${String(asked.source)}`
      await kill9(child)
      const store = await RecordStore.open(sitePaths(ch.dir).store)
      try {
        for (const id of acked) if (!(await store.has(id))) lost.add(id)
        out.lost = lost.size
      } finally {
        await store.close()
      }
      const t0 = Date.now()
      child = await startChild(ch.dir, addrOf(pub.node.addrs()), (id) => { acked.add(id); newAcks++ })
      restartMs += Date.now() - t0
      if (child.ready.fp !== before) out.trustMismatch++
      out.restarts++
      if ((i + 1) % 10 === 0) print(`  kill -9 #${i + 1}: ${acked.size} records acknowledged, ${out.lost} lost, ${out.trustMismatch} trust mismatches`)
    }
  } finally {
    stop = true
    await load
    await kill9(child)
    await pub.node.stop()
  }
  out.acked = acked.size
  out.meanRestartMs = restartMs / Math.max(1, out.restarts)
  return out
}

const p99 = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b)
  return s[Math.min(s.length - 1, Math.floor(s.length * 0.99))] ?? NaN
}

export interface SpamResult { p99QuietMs: number; p99SpamMs: number; ratio: number; spamSent: number; spamAccepted: number; spamAllowed: number; overQuota: number }

/**
 * Honest records' latency at a victim, without and then with a certified member flooding at 10× its rate limit.
 * The victim runs in its own process (so the flood's publishing does not share its event loop); the honest and the
 * spamming sites run here. Latency = the victim's stored time (its clock) − the honest publish time (this process's
 * clock; both performance.timeOrigin + performance.now() on one machine).
 */
export async function spamRun(work: string, seconds: number): Promise<SpamResult> {
  const now = Date.now()
  const bed = await testbed(work, 3, now - 120_000, 'spam')
  const [vic, hon, spa] = bed.sites as [typeof bed.sites[0], typeof bed.sites[0], typeof bed.sites[0]]
  const RATE = 20
  const BURST = 20
  const wall = () => performance.timeOrigin + performance.now()
  const arrived = new Map<string, number>()
  const spam = Array.from({ length: Math.ceil(RATE * 10 * (seconds + 3)) }, (_, i) => benchmarkResult(spa.key, 1_000_000 + i, now))
  const spamIds = new Set(spam.map((r) => r.id))
  let spamAccepted = 0
  const v = await startChild(vic.dir, '', (id, at) => { arrived.set(id, at); if (spamIds.has(id)) spamAccepted++ },
    { signerLimits: { ratePerS: RATE, burst: BURST, quotaRecords: 1_000_000, quotaBytes: 1 << 30 } })
  const h = await startSite(hon.dir, { bootstrap: [v.ready.addr] })
  const s = await startSite(spa.dir, { bootstrap: [v.ready.addr], signerLimits: { ratePerS: 1e6, burst: 1e6, quotaRecords: 1e9, quotaBytes: 2 ** 40 } })
  const victimId = v.ready.addr.split('/p2p/')[1]
  try {
    const admittedBy = (x: typeof h) => x.node.peers().some((p) => p.peerId === victimId && p.admitted)
    while (!admittedBy(h) || !admittedBy(s)) await sleep(50)
    await sleep(1500) // mesh
    let seq = 0
    const honest = async (ms: number): Promise<number[]> => {
      const sent = new Map<string, number>()
      const end = performance.now() + ms
      while (performance.now() < end) {
        const r = benchmarkResult(hon.key, seq++, now)
        sent.set(r.id, wall())
        await h.node.publish(r.bytes)
        await sleep(1000 / (RATE / 2))
      }
      await sleep(2000)
      // a record that never arrived counts as 10 s late
      return [...sent].map(([id, t]) => (arrived.get(id) ?? t + 10_000) - t)
    }
    const quiet = await honest(seconds * 1000)
    // the flood: records signed by a certified member, 10× the victim's rate limit, published straight to gossip
    // (pre-signed, so the spammer's own CPU does not pace it)
    let spamSent = 0
    let flooding = true
    const t0 = performance.now()
    const flood = (async () => {
      while (flooding && spamSent < spam.length) {
        const due = Math.floor(((performance.now() - t0) / 1000) * RATE * 10)
        while (spamSent < due && spamSent < spam.length) await s.node.network.host.pubsub.publish(TOPIC_RESULTS, spam[spamSent++]!.bytes).catch(() => undefined)
        await sleep(10)
      }
    })()
    const loud = await honest(seconds * 1000)
    flooding = false
    await flood
    const elapsed = (performance.now() - t0) / 1000
    await sleep(1000)
    const spamAllowed = Math.ceil(BURST + RATE * elapsed)
    const q = p99(quiet)
    const l = p99(loud)
    return { p99QuietMs: q, p99SpamMs: l, ratio: l / q, spamSent, spamAccepted, spamAllowed, overQuota: Math.max(0, spamAccepted - spamAllowed) }
  } finally {
    await s.node.stop()
    await h.node.stop()
    await kill9(v)
  }
}

/**
 * Bytes a site process holds for `n` fresh identities that connect and gossip without ever sending hello. libp2p
 * admits at most 5 inbound connections per second from one address (all of ours are 127.0.0.1), so the identities
 * connect at DIAL_PER_S; each publishes 16 messages of 64 KiB as soon as it sees the site's subscriptions. Two
 * figures: the node's own count of bytes held for peers in hello (its door's high-water mark, when it keeps one),
 * and, as a cross-check that also counts connection buffers, the largest growth of the site's heap + external
 * memory, sampled every 250 ms.
 */
const DIAL_PER_S = 4
export async function pendingPeers(work: string, n: number): Promise<{ identities: number; held: number | null; memoryGrowth: number; sentBytes: number; connected: number }> {
  const now = Date.now()
  const bed = await testbed(work, 1, now - 120_000, 'pend')
  const child = await startChild(bed.sites[0]!.dir, '', () => undefined)
  const hosts: SiteHost[] = []
  try {
    for (let i = 0; i < n; i++) {
      const key = await keyFromSeed(seedOf(`pend:${now}:${i}`))
      const host = await createSiteHost({ key, listen: ['/ip4/127.0.0.1/tcp/0'], appSpecificScore: () => 0, asyncValidation: false, scoring: false })
      for (const t of TOPICS) host.pubsub.subscribe(t)
      hosts.push(host)
    }
    const base = (await ask(child, 'mem')).mem as number
    let max = 0
    let sampling = true
    const sampler = (async () => {
      while (sampling) {
        max = Math.max(max, ((await ask(child, 'mem')).mem as number) - base)
        await sleep(250)
      }
    })()
    let sentBytes = 0
    let connected = 0
    await Promise.all(hosts.map(async (host, i) => {
      await sleep((i * 1000) / DIAL_PER_S)
      const payload = new Uint8Array(64 * 1024).fill(0xa5)
      if ((await host.libp2p.dial(multiaddr(child.ready.addr)).then(() => true, () => false)) === false) return
      // publish only once the site's subscriptions are known (a publish to no subscriber sends nothing)
      const end = Date.now() + 3_000
      while (host.pubsub.getSubscribers(TOPIC_RESULTS).length === 0 && Date.now() < end) await sleep(20)
      if (host.pubsub.getSubscribers(TOPIC_RESULTS).length === 0) return
      connected++
      for (let k = 0; k < 16; k++) {
        payload[0] = i; payload[1] = k
        await host.pubsub.publish(TOPIC_RESULTS, payload.slice()).then(() => { sentBytes += payload.length }, () => undefined)
      }
    }))
    await sleep(1000)
    sampling = false
    await sampler
    const held = (await ask(child, 'pending')).pending as number | null
    return { identities: n, held, memoryGrowth: Math.max(0, max), sentBytes, connected }
  } finally {
    await kill9(child)
    for (const host of hosts) await Promise.resolve(host.libp2p.stop()).catch(() => undefined)
  }
}
