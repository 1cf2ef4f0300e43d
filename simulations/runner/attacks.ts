/**
 * The byzantine roles' attacks (simulations/README.md § Byzantine roles). Each returns the records it put on the wire,
 * with the kind that says what honest sites must do with them.
 */
import { rm } from 'node:fs/promises'
import { join } from 'node:path'
import { peerIdFromString } from '@libp2p/peer-id'
import { lpStream } from '@libp2p/utils'
import {
  AUDIT_PROTOCOL, decodeAuditResponse, ed25519Signer, encodeAuditRequest, encodeCanonical, encodeEntry, formatCheckpoint, formatNote, MAX_AUDIT_MESSAGE_BYTES,
  recordId, signNote,
} from '../../protocol/index.ts'
import type { Note } from '../../protocol/index.ts'
import { AuditLog, TOPIC_RESULTS, TOPIC_FEDERATION } from '../../node/index.ts'
import type { Rng } from '../rng.ts'
import { forge, garbage, syntheticResult } from './records.ts'
import type { SimSiteIdentity } from './federation.ts'
import type { SimSite } from './site.ts'
import type { RecordKind } from '../run.ts'

/** Protocol of the stream an exfiltrator uses to push weights to an accomplice (every simulated site drains it). */
export const EXFIL_PROTOCOL = '/aip-sim/exfil/1.0.0'

export interface Sent {
  id: string
  kind: RecordKind
}

export interface AttackContext {
  site: SimSite
  identity: Pick<SimSiteIdentity, 'spec' | 'key'>
  rng: Rng
  /** Honest records published so far (forgery victims), envelope bytes. */
  victims: Uint8Array[]
  /** Records every store starts with (replay material), envelope bytes. */
  genesis: Uint8Array[]
  /** Sites the attacker may push to. */
  neighbours: string[]
  peerIdOf(site: string): string
  /** The site a peer ID belongs to (undefined: not a site of the scenario). */
  siteOfPeer(peer: string): string | undefined
  weights?: Uint8Array
  now(): number
  sleep(ms: number): Promise<void>
  log?: (line: string) => void
}

async function gossip(site: SimSite, topic: string, bytes: Uint8Array): Promise<void> {
  const node = site.node
  if (node === undefined) return
  // Straight onto the wire: a byzantine site does not validate what it sends.
  await node.network.host.pubsub.publish(topic, bytes).catch(() => {})
}

export async function forger(c: AttackContext, n: number): Promise<Sent[]> {
  const out: Sent[] = []
  for (let i = 0; i < n; i++) {
    const victim = c.victims.length > 0 ? c.victims[c.rng.int(c.victims.length)] : (await syntheticResult(c.identity.key, c.identity.spec.id, i, c.rng, c.now())).bytes
    const bytes = forge(victim, c.rng)
    await gossip(c.site, TOPIC_RESULTS, bytes)
    out.push({ id: recordId(bytes), kind: 'forged' })
  }
  return out
}

export async function replayer(c: AttackContext, n: number): Promise<Sent[]> {
  // Old, valid federation records every site already holds: each must be answered with IGNORE (duplicate).
  const out: Sent[] = []
  for (let i = 0; i < n && i < c.genesis.length; i++) {
    const bytes = c.genesis[(i + 1) % c.genesis.length]
    await gossip(c.site, TOPIC_FEDERATION, bytes)
    out.push({ id: recordId(bytes), kind: 'replay' })
  }
  return out
}

export async function spammer(c: AttackContext, n: number): Promise<Sent[]> {
  // Half valid-but-excessive results (rate limits), half bytes that are not records at all.
  const out: Sent[] = []
  for (let i = 0; i < n; i++) {
    const bytes = i % 2 === 0 ? (await syntheticResult(c.identity.key, c.identity.spec.id, 10_000 + i, c.rng, c.now())).bytes : garbage(c.rng)
    await gossip(c.site, TOPIC_RESULTS, bytes)
    out.push({ id: recordId(bytes), kind: 'spam' })
  }
  return out
}

export async function intruder(c: AttackContext, n: number): Promise<Sent[]> {
  const out: Sent[] = []
  for (let i = 0; i < n; i++) {
    const r = await syntheticResult(c.identity.key, c.identity.spec.id, i, c.rng, c.now())
    await gossip(c.site, TOPIC_RESULTS, r.bytes)
    // Also try the direct way: dial a federation site (the hello gate must refuse it).
    const target = c.neighbours[c.rng.int(c.neighbours.length)]
    await c.site.node?.network.host.libp2p.dial(peerIdFromString(c.peerIdOf(target))).catch(() => {})
    out.push({ id: r.id, kind: 'intruder' })
  }
  return out
}

/**
 * Weight exfiltration, three ways in turn: raw bytes at a random shift; wrapped in a CBOR map as a byte string;
 * split into many small writes. Every attempt goes to a connected accomplice over its own stream.
 * Returns [attempts, detected]: an attempt is detected when the site's egress monitor recorded a hit during it.
 */
export async function exfiltrator(c: AttackContext, n: number): Promise<[number, number]> {
  const w = c.weights
  const libp2p = c.site.node?.network.host.libp2p
  if (w === undefined || w.length < 16_384 || libp2p === undefined) return [0, 0]
  let attempts = 0
  let detected = 0
  for (let i = 0; i < n; i++) {
    const len = 1024 + c.rng.int(8192)
    const from = c.rng.int(w.length - len)
    const slice = w.subarray(from, from + len)
    const way = i % 3
    const payload = way === 1
      ? encodeCanonical({ type: 'AlignmentBundle', note: 'definitely not weights', blob: slice })
      : concat(c.rng.bytes(1 + c.rng.int(63)), slice)
    const before = c.site.monitor.eventCount
    // An attempt needs an accomplice that takes the stream: try neighbours in a seeded order until one does.
    let stream
    const why: string[] = []
    // (The previous attempt's connection may still be closing: retry a few rounds, as an attacker would.)
    for (let round = 0; round < 3 && stream === undefined; round++) {
      if (round > 0) await c.sleep(300)
      for (const target of c.rng.shuffle([...c.neighbours])) {
        stream = await libp2p.dialProtocol(peerIdFromString(c.peerIdOf(target)), EXFIL_PROTOCOL, { signal: AbortSignal.timeout(5000) })
          .catch((err: unknown) => { why.push(`${target}: ${(err as Error).message}`); return undefined })
        if (stream !== undefined) break
      }
    }
    if (stream === undefined) {
      c.log?.(`exfiltration attempt ${i}: no accomplice reachable (${why.join('; ')}); not counted`)
      continue
    }
    attempts++
    try {
      const step = way === 2 ? 97 : payload.length
      for (let at = 0; at < payload.length && stream.status === 'open'; at += step) stream.send(payload.subarray(at, at + step))
      await Promise.race([stream.close(), c.sleep(500)])
    } catch { /* the monitor aborted the connection: that is the point */ }
    await c.sleep(20)
    if (c.site.monitor.eventCount > before) detected++
    else c.log?.(`exfiltration attempt ${i} (way ${way}, ${payload.length} B) not detected`)
  }
  return [attempts, detected]
}

function concat(a: Uint8Array, b: Uint8Array): Uint8Array {
  const out = new Uint8Array(a.length + b.length)
  out.set(a, 0)
  out.set(b, a.length)
  return out
}

/**
 * The equivocator (audit-v1 §7.3): appends `n` entries to its audit log, then rewrites the last one in a copy of the
 * log and signs a checkpoint of each tree at the same size; it asks half of the witnesses of other nations to cosign
 * the true one and the other half the rewritten one (each with a valid consistency proof from what that witness last
 * cosigned), and gossips neither. The witnesses' own gossip must expose it. Returns the number of witnesses shown
 * each view ([true, rewritten]).
 */
export async function equivocator(c: AttackContext & { dir: string }, n: number): Promise<[number, number]> {
  const node = c.site.node
  const audit = node?.audit
  if (node === undefined || audit === undefined) return [0, 0]
  const log = audit.audit.log
  for (let i = 0; i < n; i++) await audit.audit.logOperator('other', `equivocator entry ${i}`)
  const size = log.size
  const origin = audit.audit.origin
  const real = await audit.audit.checkpoint()
  // the copy: every entry as it is, but the last one rewritten
  const forkDir = join(c.dir, `audit-fork-${c.now()}`)
  const fork = await AuditLog.open(forkDir)
  try {
    const entries = await log.entries(0, size)
    for (let i = 0; i < size; i++) {
      const data = i === size - 1 ? encodeEntry({ kind: 'operator', time: c.now(), 'aip.operator.action': 'other', 'aip.operator.subject': 'rewritten history' }) : entries[i]!
      await fork.appendEncoded(data, c.now())
    }
    const rewritten = signNote(formatCheckpoint({ origin, size, root: await fork.root(size), extensions: [] }), ed25519Signer(origin, c.identity.key))
    const witnesses = node.network.gate.admittedPeers().filter((p) => p.nation !== c.identity.spec.nation).sort((a, b) => a.peerId.localeCompare(b.peerId))
    const shown: [number, number] = [0, 0]
    for (const [i, w] of witnesses.entries()) {
      const [note, tree] = i % 2 === 0 ? [real, log] : [rewritten, fork]
      if (await cosignOnce(node, w.peerId, note, tree, size)) shown[i % 2]!++
      else c.log?.(`equivocator: ${w.peerId} did not cosign view ${i % 2}`)
    }
    return shown
  } finally {
    await fork.close()
    await rm(forkDir, { recursive: true, force: true })
  }
}

/** One cosign request over /aip/audit/1.0.0 (retrying once from the size the witness names); true if cosigned. */
async function cosignOnce(node: NonNullable<SimSite['node']>, peerId: string, note: Note, tree: AuditLog, size: number): Promise<boolean> {
  let old = 0
  for (let attempt = 0; attempt < 2; attempt++) {
    const proof = old > 0 && old <= size ? await tree.consistencyProof(old, size) : []
    const stream = await node.network.host.libp2p.dialProtocol(peerIdFromString(peerId), AUDIT_PROTOCOL)
    const lp = lpStream(stream, { maxDataLength: MAX_AUDIT_MESSAGE_BYTES })
    await lp.write(encodeAuditRequest({ op: 'cosign', note: formatNote(note), old, proof }))
    const res = decodeAuditResponse((await lp.read({ signal: AbortSignal.timeout(10_000) })).subarray())
    await stream.close().catch(() => {})
    if ('conflict' in res) { old = res.conflict; continue }
    return 'ok' in res
  }
  return false
}

export { forwarder } from './forwarder.ts'
