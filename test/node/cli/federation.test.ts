import { test } from 'node:test'
import assert from 'node:assert/strict'
import { writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { createRecord, parseRecordId } from '../../../protocol/index.ts'
import { readKeyFile } from '../../../node/site/keys.ts'
import { aip, aipJson, lines, withTmp } from './helpers.ts'

interface InitInfo { dir: string; peerId: string; genesisCharter: string; certificate: string; siteKey: string; rootKey: string }
interface Signed { id: string; stored: boolean; outcome: { action: string; code: string } }

/** A record signed by a site's own key (what an evaluator publishes), written to a file. */
async function siteRecord(dir: string, file: string, created = Date.now()): Promise<string> {
  const key = await readKeyFile(join(dir, 'site.key'))
  const target = parseRecordId('bafkreigh2akiscaildcqabsyg3dfr6chu3fgpregiymsck7e7aqa4s52zy')
  const r = createRecord('Retraction', { target, reason: 'test record' }, key, created)
  await writeFile(file, r.bytes)
  return r.id
}

test('two sites: a root certifies another site\'s key, the site joins the federation, its records are accepted; revocation stops them', () => withTmp(async (tmp) => {
  const [a, b] = [join(tmp, 'a'), join(tmp, 'b')]
  const ia = await aipJson<InitInfo>(0, 'init', '--dir', a, '--nation', 'CH', '--json')
  const ib = await aipJson<InitInfo>(0, 'init', '--dir', b, '--nation', 'CH', '--json')

  // Before anything is exchanged, A does not know B: B's records are ignored (unknown signer), not stored.
  const rec1 = join(tmp, 'r1.cbor')
  await siteRecord(b, rec1)
  const before = await aip('publish', '--dir', a, rec1, '--json')
  assert.equal(before.status, 1)
  assert.deepEqual(lines<{ action: string; code: string }>(before.stdout).map((o) => [o.action, o.code]), [['ignore', 'unknown_signer']])

  // A's nation root certifies B's site key; the root key stays in A.
  const cert = await aipJson<Signed & { peerId: string }>(0, 'cert', 'issue', '--dir', a, '--site-key', ib.siteKey, '--roles', 'evaluator', '--out', join(tmp, 'cert-b.cbor'), '--json')
  assert.equal(cert.stored, true)
  assert.equal(cert.peerId, ib.peerId)
  // Records are judged at their created time: the one made before the certificate stays unplaceable, a new one passes.
  assert.equal((await aip('publish', '--dir', a, rec1)).status, 1)
  await siteRecord(b, rec1, Date.now() + 1)
  assert.equal((await aip('publish', '--dir', a, rec1)).status, 0)

  // B joins A's federation with A's exported federation records.
  const fed = join(tmp, 'fed.cbor')
  const exp = await aipJson<{ records: number }>(0, 'export', '--dir', a, '--type', 'FederationCharter', '--type', 'SiteCertificate', '--out', fed, '--json')
  assert.equal(exp.records, 3)
  const join1 = await aipJson<{ genesis: string; charter: string; summary: { accept: number } }>(0, 'charter', 'join', '--dir', b, '--genesis', ia.genesisCharter, fed, '--json')
  assert.equal(join1.charter, ia.genesisCharter)
  assert.equal(join1.summary.accept, 3)
  const rec2 = join(tmp, 'r2.cbor')
  await siteRecord(b, rec2)
  assert.equal((await aip('publish', '--dir', b, rec2)).status, 0)

  // A revokes B's key: B's later records are ignored at A, its earlier ones still verify (judged at created time).
  const rev = await aipJson<Signed>(0, 'revoke', '--dir', a, '--site-key', ib.siteKey, '--reason', 'key compromised', '--json')
  assert.equal(rev.stored, true)
  const rec3 = join(tmp, 'r3.cbor')
  await siteRecord(b, rec3, Date.now() + 10)
  const after = await aip('publish', '--dir', a, rec3, '--json')
  assert.equal(after.status, 1)
  assert.equal(lines<{ code: string }>(after.stdout)[0].code, 'revoked_signer')
  const v = await aip('records', 'verify', '--dir', a, '--file', rec1, '--json')
  assert.equal(v.status, 0, v.stdout)

  // B's root (not a member of A's charter) cannot certify anyone in A's federation.
  const foreign = await aipJson<Signed>(1, 'cert', 'issue', '--dir', b, '--self', '--json')
  assert.equal(foreign.stored, false)
  assert.equal(foreign.outcome.code, 'unknown_issuer')
}))

test('charter propose adds a nation; approvals and join give every site the same charter', () => withTmp(async (tmp) => {
  const [a, b, c] = [join(tmp, 'a'), join(tmp, 'b'), join(tmp, 'c')]
  const ia = await aipJson<InitInfo>(0, 'init', '--dir', a, '--nation', 'CH', '--json')
  const ib = await aipJson<InitInfo>(0, 'init', '--dir', b, '--nation', 'FR', '--json')
  const ic = await aipJson<InitInfo>(0, 'init', '--dir', c, '--nation', 'DE', '--json')
  // Genesis quorum is 1 (A alone): A's proposal adding FR takes effect at once.
  const p1 = await aipJson<Signed>(0, 'charter', 'propose', '--dir', a, '--add', `FR:${ib.rootKey}`, '--quorum', '2', '--json')
  const fed = join(tmp, 'fed.cbor')
  await aipJson(0, 'export', '--dir', a, '--type', 'FederationCharter', '--type', 'CharterApproval', '--out', fed, '--json')
  const jb = await aipJson<{ charter: string }>(0, 'charter', 'join', '--dir', b, '--genesis', ia.genesisCharter, fed, '--json')
  assert.equal(jb.charter, p1.id)
  // Adding DE now needs 2 approvals of the current members (CH proposes, FR approves).
  const p2 = await aipJson<Signed>(0, 'charter', 'propose', '--dir', a, '--add', `DE:${ic.rootKey}`, '--out', join(tmp, 'p2.cbor'), '--json')
  const shown = await aipJson<{ id: string; successors: string[] }>(0, 'charter', 'show', '--dir', a, '--json')
  assert.equal(shown.id, p1.id, 'one approval of two: not yet in effect')
  assert.deepEqual(shown.successors, [p2.id])
  assert.equal((await aip('import', '--dir', b, join(tmp, 'p2.cbor'))).status, 0)
  const ap = await aipJson<Signed>(0, 'charter', 'approve', '--dir', b, p2.id, '--out', join(tmp, 'ap.cbor'), '--json')
  assert.equal(ap.stored, true)
  assert.equal((await aip('import', '--dir', a, join(tmp, 'ap.cbor'))).status, 0)
  for (const d of [a, b]) {
    const s = await aipJson<{ id: string; members: { nation: string }[] }>(0, 'charter', 'show', '--dir', d, '--json')
    assert.equal(s.id, p2.id, d)
    assert.deepEqual(s.members.map((m) => m.nation), ['CH', 'FR', 'DE'])
  }
  // C joins with everything A has; after re-certifying itself under the new charter, A accepts C's certificate.
  const all = join(tmp, 'all.cbor')
  await aipJson(0, 'export', '--dir', a, '--type', 'FederationCharter', '--type', 'CharterApproval', '--type', 'SiteCertificate', '--out', all, '--json')
  const jc = await aipJson<{ charter: string }>(0, 'charter', 'join', '--dir', c, '--genesis', ia.genesisCharter, all, '--json')
  assert.equal(jc.charter, p2.id)
  await aipJson(0, 'cert', 'issue', '--dir', c, '--self', '--out', join(tmp, 'cert-c.cbor'), '--json')
  const imp = await aip('import', '--dir', a, join(tmp, 'cert-c.cbor'), '--json')
  assert.equal(imp.status, 0, imp.stdout)
}))
