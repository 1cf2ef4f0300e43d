/**
 * End to end without a network: a site's log with 600 entries, checkpoints cosigned by two other nations' witnesses,
 * exported as tiles and verified offline by `aip audit verify` (the real CLI); a tampered tile and a rewritten
 * history are caught — the first by the verifier, the second by the witnesses (an equivocation).
 */
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { readFile, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { generateSigningKey } from '../../../protocol/keys.ts'
import { cosignatureVerifier, ed25519Signer, formatCheckpoint, formatNote, formatVerifierKey, parseNote, parseVerifierKey, signNote, witnessName, SIG_TYPE_COSIGNATURE_V1 } from '../../../protocol/audit/index.ts'
import type { AuditEntry } from '../../../protocol/audit/index.ts'
import { initSite } from '../../../node/site/init.ts'
import { openSite } from '../../../node/site/dir.ts'
import { SiteAudit } from '../../../node/audit/site-audit.ts'
import { AuditLog } from '../../../node/audit/log.ts'
import { Witness } from '../../../node/audit/witness.ts'
import { aip, aipJson, withTmp } from '../cli/helpers.ts'

const op = (i: number): AuditEntry => ({ kind: 'operator', time: 1_767_000_000_000 + i, 'aip.operator.action': 'approval', 'aip.operator.subject': `charter ${i}` })

test('export, offline verify with witnesses, tamper and rewrite detection', () => withTmp(async (tmp) => {
  const dir = join(tmp, 'ch')
  await initSite(dir, { nation: 'CH' })
  const site = await openSite(dir)
  let now = 1_767_000_000_000
  const audit = await SiteAudit.open({ dir, nation: 'CH', key: site.key }, { now: () => now })
  await Promise.all(Array.from({ length: 300 }, (_, i) => audit.append(op(i))))
  const first = formatNote(await audit.checkpoint())
  await Promise.all(Array.from({ length: 300 }, (_, i) => audit.append(op(300 + i))))
  const second = await audit.checkpoint()
  now += 60_000

  // two witnesses (DE, FR), each with its own log for its state; both saw the first checkpoint, then the second
  const logKey = parseVerifierKey(audit.verifierKey)
  const witnesses = await Promise.all(['DE', 'FR'].map(async (nation, i) => {
    const key = generateSigningKey(new Uint8Array(32).fill(i + 1))
    const log = await AuditLog.open(join(tmp, `w-${nation}`))
    return { nation, key, log, w: new Witness(log, key, witnessName(nation, key.publicKey), () => now) }
  }))
  for (const { w } of witnesses) {
    assert.equal((await w.cosign(first, [], logKey)).ok, true)
    const r = await w.cosign(formatNote(second), await audit.log.consistencyProof(300, 600), logKey)
    assert.ok(r.ok)
    assert.equal(await audit.addCosignatures(second.text, [r.signature], (s) => (s.name === w.name ? cosignatureVerifier(w.name, witnesses.find((x) => x.w === w)!.key.publicKey) : undefined)), 1)
  }
  const witnessArgs = witnesses.flatMap(({ nation, key, w }) => ['--witness', `${nation}=${formatVerifierKey(w.name, SIG_TYPE_COSIGNATURE_V1, key.publicKey)}`])
  await audit.close()

  const key = (await aip('audit', 'key', '--dir', dir)).stdout.trim()
  assert.equal(key, logKey.name + key.slice(logKey.name.length))
  const cp = await aip('audit', 'checkpoint', '--dir', dir)
  assert.equal(parseNote(cp.stdout).signatures.length, 3)
  const tiles = join(tmp, 'tiles')
  assert.equal((await aip('audit', 'export', '--dir', dir, '--tiles', tiles)).status, 0)
  await writeFile(join(tmp, 'first'), first)
  const ok = await aipJson<{ ok: boolean; witnessed: boolean; entriesVerified: number; inclusion: unknown[]; consistentWith: { size: number } }>(0,
    'audit', 'verify', '--tiles', tiles, '--key', key, ...witnessArgs, '--quorum', '2', '--entry', '5', '--entry', '599', '--older', join(tmp, 'first'), '--json')
  assert.equal(ok.witnessed, true)
  assert.equal(ok.entriesVerified, 600)
  assert.equal(ok.inclusion.length, 2)
  assert.equal(ok.consistentWith.size, 300)
  const md = await aip('compliance', 'report', '--dir', dir)
  assert.equal(md.status, 0, md.stderr)
  assert.match(md.stdout, /log \(RFC 9162 tree, C2SP checkpoints\) of 600 entries/)
  assert.match(md.stdout, /Operator actions logged: approval 600\. — \[first operator\/approval entry, leaf [0-9a-f]{16}…\]\(audit\/entry\/0\)/)
  assert.match(md.stdout, /\*\*Needs the operator's own text\*\*\n\n- \[ \] The intended purpose/)
  const html = await aip('compliance', 'report', '--dir', dir, '--format', 'html')
  assert.match(html.stdout, /^<!doctype html>.*<a href="audit\/checkpoint">checkpoint of 600 entries/s)
  const notWitnessed = await aip('audit', 'verify', '--tiles', tiles, '--key', key, ...witnessArgs.slice(0, 2), '--quorum', '2', '--json')
  assert.equal(notWitnessed.status, 3)

  // one byte of one entry changed in the exported bundle: caught
  const bundle = join(tiles, 'tile/entries/001')
  const b = await readFile(bundle)
  b[b.length - 3] ^= 1
  await writeFile(bundle, b)
  const bad = await aip('audit', 'verify', '--tiles', tiles, '--key', key, '--json')
  assert.equal(bad.status, 1)
  assert.equal(JSON.parse(bad.stdout).error, 'bad_tile')

  // the site rewrites entry 5 and signs a checkpoint of the same size: the witnesses refuse and keep the proof
  const rewritten = signNote(formatCheckpoint({ origin: logKey.name, size: 600, root: new Uint8Array(32).fill(5), extensions: [] }), ed25519Signer(logKey.name, site.key))
  for (const { w } of witnesses) {
    const r = await w.cosign(formatNote(rewritten), [], logKey)
    assert.equal(r.ok, false)
    assert.equal((r as { code: string }).code, 'inconsistent')
    const [e] = await w.equivocations()
    assert.equal(e!.origin, logKey.name)
    assert.equal((await w.cosign(formatNote(second), [], logKey) as { code: string }).code, 'equivocated')
  }
  for (const { log } of witnesses) await log.close()
}))
