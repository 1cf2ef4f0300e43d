/**
 * The `forwarder` byzantine role (simulations/README.md § Byzantine roles): a certified member in the audience of a
 * restricted alignment bundle, which first fetches its chunks honestly and then tries to get them to sites outside that
 * audience (specs/alignment-v1.md §2–§3), every way it can:
 *   - gossip: it publishes a chunk straight onto the alignment topic (O1: every receiver must refuse it);
 *   - share-push: it opens /aip/share/1.0.0 to each unlisted site and writes the chunks as if answering (§3: the
 *     receiver refuses a stream that does not start with a ShareRequest, unread);
 *   - share-serve: it signs a manifest of its own listing another site's chunk, with the unlisted sites' nations as
 *     audience, gossips it, and serves whatever is asked of it to anyone (O3, O4: a manifest by another signer never
 *     governs a chunk, so receivers keep nothing, and honest holders serve nothing on its strength);
 *   - share-unrequested: to an unlisted site that asks it anything, it adds the other chunks, unasked (§3).
 * Every time restricted bytes leave it for an unlisted site, it logs a LeakAttempt; whether each was detected is
 * judged by the runner from what the receivers themselves logged.
 */
import { peerIdFromString } from '@libp2p/peer-id'
import { lpStream } from '@libp2p/utils'
import {
  createRecord, decodeRecord, decodeShareRequest, encodeShareResponse, MAX_SHARE_REQUEST_CHUNKS, MAX_SHARE_RESPONSE_BYTES, parseRecordId, SHARE_PROTOCOL,
} from '../../protocol/index.ts'
import type { AlignmentChunkBody, DecodedRecord } from '../../protocol/index.ts'
import { TOPIC_ALIGNMENT } from '../../node/index.ts'
import type { LeakAttempt } from '../run.ts'
import type { AttackContext, Sent } from './attacks.ts'
import type { LeakPlan } from './handle.ts'

/** How long a forwarder waits to hold the chunks it is in the audience of (it fetches them like any listed site). */
export const FORWARDER_HOLD_TIMEOUT_MS = 30_000
/** Opening a stream to push at an unlisted site: per try, and tries. */
const PUSH_TIMEOUT_MS = 15_000
const PUSH_TRIES = 3
/** How long a round waits for the unlisted sites to ask for the relabelled chunk. */
export const SERVE_WAIT_MS = 30_000
/** Concurrent inbound streams its rogue share server takes per connection. */
const ROGUE_MAX_STREAMS = 16

async function held(c: AttackContext, ids: string[]): Promise<DecodedRecord[]> {
  const out: DecodedRecord[] = []
  for (const id of ids) {
    const bytes = await c.site.node?.store.get(id)
    const o = bytes === undefined ? undefined : decodeRecord(bytes)
    if (o?.action === 'accept') out.push(o.record)
  }
  return out
}

export async function forwarder(c: AttackContext, rounds: number, plan: LeakPlan | undefined, log: LeakAttempt[]): Promise<Sent[]> {
  const node = c.site.node
  if (node === undefined || plan === undefined || plan.chunks.length === 0 || plan.victims.length === 0) {
    c.log?.(`forwarder ${c.identity.spec.id}: nothing to leak or nobody to leak it to`)
    return []
  }
  let stolen = await held(c, plan.chunks)
  for (const by = c.now() + FORWARDER_HOLD_TIMEOUT_MS; stolen.length < plan.chunks.length && c.now() < by;) {
    await c.sleep(200)
    stolen = await held(c, plan.chunks)
  }
  if (stolen.length === 0) {
    c.log?.(`forwarder ${c.identity.spec.id}: holds none of the restricted chunks after ${FORWARDER_HOLD_TIMEOUT_MS} ms`)
    return []
  }
  const me = c.identity.spec.id
  const victims = new Set(plan.victims.map((v) => v.site))
  const libp2p = node.network.host.libp2p

  // A share server that ignores the audience: serves what is asked, and pushes the rest on unlisted sites.
  await libp2p.unhandle(SHARE_PROTOCOL)
  await libp2p.handle(SHARE_PROTOCOL, async (stream, conn) => {
    const target = c.siteOfPeer(conn.remotePeer.toString())
    const leaking = target !== undefined && victims.has(target)
    try {
      const lp = lpStream(stream, { maxDataLength: MAX_SHARE_RESPONSE_BYTES })
      const asked = decodeShareRequest((await lp.read({ signal: AbortSignal.timeout(10_000) })).subarray()).chunks.map(String)
      const records: Uint8Array[] = []
      const sent: LeakAttempt[] = []
      for (const id of asked) {
        const bytes = await node.store.get(id)
        if (bytes === undefined) continue
        records.push(bytes)
        if (leaking) sent.push({ way: 'share-serve', from: me, target, chunk: id })
      }
      if (leaking) {
        for (const r of stolen) {
          if (asked.includes(r.id) || records.length >= MAX_SHARE_REQUEST_CHUNKS) continue
          records.push(r.bytes)
          sent.push({ way: 'share-unrequested', from: me, target, chunk: r.id })
        }
      }
      await lp.write(encodeShareResponse({ records, refused: [] }))
      log.push(...sent)
      await stream.close()
    } catch (err) {
      stream.abort(err instanceof Error ? err : new Error(String(err)))
    }
  }, { maxInboundStreams: ROGUE_MAX_STREAMS })

  const out: Sent[] = []
  const gossiped = new Set<string>()
  for (let i = 0; i < rounds; i++) {
    const chunk = stolen[i % stolen.length]
    if (!gossiped.has(chunk.id)) {
      gossiped.add(chunk.id)
      // straight onto the topic, skipping its own door (which would refuse: O1)
      const r = await node.network.host.pubsub.publish(TOPIC_ALIGNMENT, chunk.bytes).catch((err: unknown) => {
        c.log?.(`forwarder ${me}: gossip failed (${String(err)}); not counted`)
        return undefined
      })
      for (const p of r?.recipients ?? []) {
        const target = c.siteOfPeer(p.toString())
        if (target !== undefined) log.push({ way: 'gossip', from: me, target, chunk: chunk.id })
      }
    }
    for (const v of plan.victims) {
      // (a loaded machine may take a while to open a stream: a few tries, as an attacker would)
      for (let attempt = 0; attempt < PUSH_TRIES; attempt++) {
        try {
          const stream = await libp2p.dialProtocol(peerIdFromString(c.peerIdOf(v.site)), SHARE_PROTOCOL, { signal: AbortSignal.timeout(PUSH_TIMEOUT_MS) })
          await lpStream(stream, { maxDataLength: MAX_SHARE_RESPONSE_BYTES }).write(encodeShareResponse({ records: stolen.map((r) => r.bytes), refused: [] }))
          log.push({ way: 'share-push', from: me, target: v.site })
          await Promise.race([stream.close(), c.sleep(500)]).catch(() => undefined)
          break
        } catch (err) {
          c.log?.(`forwarder ${me}: push to ${v.site} failed before the bytes left (${String(err)}); not counted`)
        }
      }
    }
    const body = chunk.body as AlignmentChunkBody
    const manifest = createRecord('AlignmentBundle', {
      name: `relabelled-${me}-${i}`, kind: body.kind, license: 'CC-BY-4.0', label: 'TLP:AMBER',
      audience: { nations: [...new Set(plan.victims.map((v) => v.nation))].sort() }, item_count: body.items.length, chunks: [parseRecordId(chunk.id)],
    }, c.identity.key, c.now())
    const served = (site: string): number => log.filter((a) => a.way === 'share-serve' && a.target === site && a.chunk === chunk.id).length
    const before = new Map(plan.victims.map((x) => [x.site, served(x.site)]))
    const v = await node.publish(manifest.bytes)
    if (v.action !== 'accept') c.log?.(`forwarder ${me}: its relabelling manifest was refused at home (${v.code})`)
    out.push({ id: manifest.id, kind: 'leak' })
    // the attack lasts until every unlisted site has asked for the relabelled chunk (so the run sees it), or a timeout
    const newlyServed = (x: { site: string }): boolean => served(x.site) > (before.get(x.site) ?? 0)
    for (const by = c.now() + SERVE_WAIT_MS; c.now() < by && !plan.victims.every(newlyServed);) await c.sleep(200)
  }
  return out
}
