/**
 * Three nations on 127.0.0.1 (real libp2p, real logs on disk): every site logs the records it publishes and
 * receives; CH's checkpoints are cosigned by DE and FR over /aip/audit/1.0.0 after a consistency proof; the
 * witnessed log verifies offline over CH's local HTTP API with `aip audit verify --url`; checkpoints travel as
 * AuditCheckpoint records; a forged equivocation proof is REJECTed everywhere without an alert; a rewritten
 * checkpoint sent to a witness is refused, and its proof reaches every site as an AuditEquivocation and an alert.
 */
import { after, before, describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { mkdtemp, readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { lpStream } from '@libp2p/utils'
import { peerIdFromString } from '@libp2p/peer-id'
import {
  AUDIT_PROTOCOL, CONTENT_TYPES, decodeAuditResponse, ed25519Signer, encodeAuditRequest, encodeCanonical, envelope, formatCheckpoint, formatNote,
  MAX_AUDIT_MESSAGE_BYTES, parseEntry, parseNote, protectedHeader, sign, signNote, sigStructure,
} from '../../../protocol/index.ts'
import type { CborMap, SigningKey } from '../../../protocol/index.ts'
import { TOPIC_RESULTS } from '../../../node/index.ts'
import { benchmarkResult, createTestbed } from '../../../node/net/testbed.ts'
import type { Testbed } from '../../../node/net/testbed.ts'
import { addrOf, admittedCount, startNode, until } from '../net/helpers.ts'
import type { LoggedNode } from '../net/helpers.ts'
import { aip } from '../cli/helpers.ts'

const NOW = Date.now()

describe('audit witnesses across three nations', () => {
  let work: string
  let bed: Testbed
  const nodes: LoggedNode[] = []

  before(async () => {
    work = await mkdtemp(join(tmpdir(), 'aip-audit-witness-'))
    bed = await createTestbed(work, 3, NOW)
    nodes.push(await startNode(bed.sites[0]!.dir, { api: true, sync: false }))
    for (let i = 1; i < 3; i++) nodes.push(await startNode(bed.sites[i]!.dir, { bootstrap: [addrOf(nodes[0]!.node)], sync: false }))
    await until(() => admittedCount(nodes[0]!.node) === 2 && nodes.slice(1).every((n) => admittedCount(n.node) === 1), 'every hello to pass')
  })

  after(async () => {
    for (const n of nodes) await n.node.stop().catch(() => undefined)
    await rm(work, { recursive: true, force: true })
  })

  it('logs published and received records', async () => {
    const record = benchmarkResult(bed.sites[0]!.key, 1, NOW)
    assert.equal((await nodes[0]!.node.publish(record.bytes)).action, 'accept')
    const logged = async (n: LoggedNode, direction: string) => {
      const log = n.node.audit!.audit.log
      return (await log.entries(0, log.size)).map(parseEntry).some((e) => e.kind === 'record' && e['aip.record.id'] === record.id && e['aip.record.direction'] === direction)
    }
    await until(() => logged(nodes[0]!, 'published'), 'CH to log its publication')
    await until(() => logged(nodes[1]!, 'received'), 'DE to log its reception')
  })

  it('gets cosignatures from both other nations, twice, each after a consistency proof', async () => {
    const ch = nodes[0]!.node.audit!
    const first = await ch.checkpointAndWitness()
    assert.equal(first.cosignatures, 2)
    for (let i = 0; i < 300; i++) void ch.audit.logOperator('approval', `item ${i}`)
    await ch.audit.logOperator('review', 'last')
    const second = await ch.checkpointAndWitness()
    assert.equal(second.cosignatures, 2)
    assert.ok(second.size > first.size + 300)
    const note = (await ch.audit.latest())!
    assert.deepEqual(note.signatures.map((s) => s.name.split('/')[0]), ['aip-audit', 'aip-witness', 'aip-witness'])
    // the witnesses keep the checkpoint they cosigned
    for (const n of nodes.slice(1)) assert.equal(parseNote((await n.node.audit!.audit.witness.last(ch.audit.origin))!).text, note.text)
  })

  it('verifies offline over the local HTTP API: signature, quorum of 2 nations, every entry', async () => {
    const ch = nodes[0]!.node
    const token = (await readFile(join(bed.sites[0]!.dir, 'api.token'), 'utf8')).trim()
    const witnesses = nodes.slice(1).flatMap((n, i) => ['--witness', `${bed.sites[i + 1]!.nation}=${n.node.audit!.audit.witnessKey}`])
    const r = await aip('audit', 'verify', '--url', `${ch.api!.url}/v1/audit/`, '--token', token, '--key', ch.audit!.audit.verifierKey, ...witnesses, '--quorum', '2', '--entry', '0', '--json')
    assert.equal(r.status, 0, r.stdout + r.stderr)
    const out = JSON.parse(r.stdout) as { witnessed: boolean; entriesVerified: number; cosigners: string[] }
    assert.equal(out.witnessed, true)
    assert.equal(out.cosigners.length, 2)
    assert.equal(out.entriesVerified, ch.audit!.audit.log.size)
  })

  it('a published checkpoint reaches every site as an AuditCheckpoint record (aip audit checkpoint --publish)', async () => {
    const ch = nodes[0]!.node
    await ch.audit!.audit.logOperator('other', 'before publishing')
    const r = await aip('audit', 'checkpoint', '--dir', bed.sites[0]!.dir, '--publish')
    assert.equal(r.status, 0, r.stderr)
    const note = parseNote(r.stdout)
    assert.ok(note.signatures.length >= 3, 'the log signature and two cosignatures')
    const holds = async (n: LoggedNode) => {
      for await (const info of n.node.store.list({ type: 'AuditCheckpoint' })) {
        const bytes = await n.node.store.get(info.id)
        if (bytes !== undefined && Buffer.from(bytes).includes(Buffer.from(note.text))) return true
      }
      return false
    }
    for (const n of nodes.slice(1)) await until(() => holds(n), 'the AuditCheckpoint to arrive')
  })

  it('a forged equivocation proof is REJECTed with bad_evidence by the peer it reaches and raises no alert anywhere', async () => {
    const [ch, de, fr] = nodes.map((n) => n.node)
    // FR tries to frame CH: CH's real checkpoint twice (consistent), and a "second checkpoint" FR signed itself
    const real = formatNote({ text: (await ch!.audit!.audit.latest())!.text, signatures: (await ch!.audit!.audit.latest())!.signatures.slice(0, 1) })
    const latest = (await ch!.audit!.audit.latestCheckpoint())!
    const framed = formatNote(signNote(formatCheckpoint({ ...latest, root: new Uint8Array(32).fill(9) }), ed25519Signer(latest.origin, bed.sites[2]!.key)))
    const forge = (b: string) => signedRaw(bed.sites[2]!.key, { log: bed.sites[0]!.key.publicKey, a: real, b, created: Date.now() })
    const rejected = () => ch!.records.counts.get('reject/bad_evidence') ?? 0
    const before = rejected()
    for (const b of [real, framed]) await fr!.network.host.pubsub.publish(TOPIC_RESULTS, forge(b)).catch(() => {})
    await until(() => rejected() >= before + 2, 'both forgeries to be rejected by CH (FR\'s peer)')
    for (const n of [ch, de, fr]) assert.deepEqual(alertsOf(await n!.status()), [])
  })

  it('a rewritten checkpoint of the same size is refused by the witness and raised as an equivocation', async () => {
    const ch = nodes[0]!.node
    const de = nodes[1]!
    const latest = (await ch.audit!.audit.latestCheckpoint())!
    const rewritten = signNote(formatCheckpoint({ ...latest, root: new Uint8Array(32).fill(1) }), ed25519Signer(latest.origin, bed.sites[0]!.key))
    const stream = await ch.network.host.libp2p.dialProtocol(peerIdFromString(de.node.network.host.peerId.toString()), AUDIT_PROTOCOL)
    const lp = lpStream(stream, { maxDataLength: MAX_AUDIT_MESSAGE_BYTES })
    await lp.write(encodeAuditRequest({ op: 'cosign', note: formatNote(rewritten), old: latest.size, proof: [] }))
    const res = decodeAuditResponse((await lp.read()).subarray())
    assert.deepEqual(Object.keys(res), ['error', 'message'])
    assert.equal((res as { error: string }).error, 'inconsistent')
    const [e] = await de.node.audit!.audit.witness.equivocations()
    assert.equal(e!.origin, latest.origin)
    assert.ok(de.events.some((x) => x.event === 'audit_equivocation'), 'logged by the witness')
    // audit-v1 §7.3: DE gossips the proof; every site — CH itself included — accepts it and raises the alert
    for (const n of nodes) {
      await until(async () => alertsOf(await n.node.status()).some((a) => a.includes(latest.origin)), 'the equivocation alert on every site', 60_000)
      assert.ok(n.events.some((x) => x.event === 'audit_alert'), 'an alert in the node log')
    }
    // and neither witness cosigns that log again, not even a consistent checkpoint
    await ch.audit!.audit.logOperator('other', 'after the equivocation')
    const after = await ch.audit!.checkpointAndWitness()
    assert.equal(after.cosignatures, 0, 'DE found it, FR holds the proof: both refuse')
  })
})

const alertsOf = (status: Record<string, unknown>): string[] => status.alerts as string[]

/** A correctly signed envelope around any payload map (a byzantine site does not run its own validation). */
function signedRaw(key: SigningKey, payload: CborMap): Uint8Array {
  const prot = protectedHeader(CONTENT_TYPES.AuditEquivocation, key.publicKey)
  const bytes = encodeCanonical(payload)
  return envelope(prot, bytes, sign(key, sigStructure(prot, bytes)))
}
