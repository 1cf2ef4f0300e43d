/**
 * audit-v1 §7.4 across sizes, on real logs on disk: a witness cosigned a log's 5-entry checkpoint; the log then asks
 * it to cosign a 7-entry tree whose entry 4 was rewritten, with the honest consistency proof of that tree. The
 * witness refuses (§7.2), and the proof it gossips places the rewritten 5-prefix inside the 7-tree — an
 * AuditEquivocation any site can check without either tree. A power-of-two old size gives no transferable proof:
 * the witness alerts locally and publishes nothing.
 */
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { decodeRecord, ed25519Signer, ed25519Verifier, formatCheckpoint, formatNote, generateSigningKey, parseNote, signNote } from '../../../protocol/index.ts'
import type { AuditEntry, DecodedRecord } from '../../../protocol/index.ts'
import { AuditLog } from '../../../node/audit/log.ts'
import { SiteAudit } from '../../../node/audit/site-audit.ts'
import { AuditGossip } from '../../../node/audit/gossip.ts'
import { DEFAULT_AUDIT_CONFIG } from '../../../node/audit/config.ts'

const op = (s: string): AuditEntry => ({ kind: 'operator', time: 1_767_225_600_000, 'aip.operator.action': 'other', 'aip.operator.subject': s })

async function splitAcrossSizes(oldSize: number): Promise<{ published: DecodedRecord[]; alerts: string[]; refused: boolean }> {
  const dir = await mkdtemp(join(tmpdir(), 'aip-audit-gossip-'))
  const logKey = generateSigningKey(new Uint8Array(32).fill(11))
  const log = await SiteAudit.open({ dir: join(dir, 'log'), nation: 'DE', key: logKey }, { config: { ...DEFAULT_AUDIT_CONFIG } })
  const witness = await SiteAudit.open({ dir: join(dir, 'witness'), nation: 'FR', key: generateSigningKey(new Uint8Array(32).fill(12)) }, { config: { ...DEFAULT_AUDIT_CONFIG } })
  const fork = await AuditLog.open(join(dir, 'fork'))
  const published: DecodedRecord[] = []
  const gossip = new AuditGossip(witness, {
    key: witness.site.key, now: Date.now, log: () => {}, witnessGossipDelayMs: 60_000,
    publish: async (bytes) => {
      const o = decodeRecord(bytes)
      if (o.action === 'accept') published.push(o.record)
      return { action: o.action, code: o.code }
    },
  })
  try {
    const vkey = ed25519Verifier(log.origin, logKey.publicKey)
    for (let i = 0; i < oldSize; i++) await log.append(op(`entry ${i}`))
    const first = await log.checkpoint()
    assert.equal((await witness.witness.cosign(formatNote(first), [], vkey)).ok, true)
    // the other history: entry oldSize − 1 rewritten, then two more
    for (let i = 0; i < oldSize + 2; i++) await fork.append(op(i === oldSize - 1 ? 'rewritten' : `entry ${i}`))
    const n = oldSize + 2
    const note = signNote(formatCheckpoint({ origin: log.origin, size: n, root: await fork.root(n), extensions: [] }), ed25519Signer(log.origin, logKey))
    const r = await witness.witness.cosign(formatNote(note), await fork.consistencyProof(oldSize, n), vkey)
    await gossip.stop() // waits for the detection step
    return { published, alerts: gossip.alertList(), refused: !r.ok && r.code === 'inconsistent' }
  } finally {
    await gossip.stop()
    await fork.close()
    await log.close()
    await witness.close()
    await rm(dir, { recursive: true, force: true })
  }
}

test('a rewritten entry across sizes becomes a self-contained AuditEquivocation (old size 5)', async () => {
  const { published, alerts, refused } = await splitAcrossSizes(5)
  assert.equal(refused, true, 'the witness refuses the inconsistent checkpoint')
  assert.equal(published.length, 1)
  const proof = published[0] as DecodedRecord<'AuditEquivocation'>
  assert.equal(proof.type, 'AuditEquivocation')
  assert.ok(proof.body.prefix_root !== undefined && proof.body.proof !== undefined)
  assert.deepEqual([parseNote(proof.body.a).text.split('\n')[1], parseNote(proof.body.b).text.split('\n')[1]], ['5', '7'])
  assert.deepEqual(alerts, [], 'the alert comes when the door accepts the proof, not before')
})

test('old size a power of two: no transferable proof, a local alert only (old size 4)', async () => {
  const { published, alerts, refused } = await splitAcrossSizes(4)
  assert.equal(refused, true)
  assert.equal(published.length, 0)
  assert.equal(alerts.length, 1)
  assert.match(alerts[0]!, /no transferable proof/)
})
