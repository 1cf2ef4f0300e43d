import { test } from 'node:test'
import assert from 'node:assert/strict'
import { createRecord } from '../../protocol/records/index.ts'
import type { DecodedRecord } from '../../protocol/records/index.ts'
import { TrustState, retractionWithdraws } from '../../protocol/trust.ts'
import { validateRecord } from '../../protocol/validate.ts'
import { parseRecordId } from '../../protocol/ids.ts'
import { MAX_TRUST_PENDING_PER_SIGNER } from '../../protocol/constants.ts'
import { KEYS, T0, DAY, sampleBody, fakeLink, seededKey } from './fixtures.ts'

const { rootCH, rootDE, rootFR, siteCH, siteDE, siteFR } = KEYS
const YEAR = 365 * DAY

function cert(root: typeof rootCH, site: typeof siteCH, nation: string, created: number, roles = ['evaluator', 'curator']) {
  return createRecord('SiteCertificate', { site_key: site.publicKey, nation, roles, not_before: created, not_after: created + YEAR }, root, created)
}

/** Genesis: CH and DE, quorum 2. Successor proposed by CH adds FR; DE approves a day later. */
function world() {
  const genesis = createRecord('FederationCharter', { name: 'g', members: [{ nation: 'CH', root_key: rootCH.publicKey }, { nation: 'DE', root_key: rootDE.publicKey }], quorum: 2, predecessor: null }, rootCH, T0)
  const succ = createRecord(
    'FederationCharter',
    { name: 's', members: [{ nation: 'CH', root_key: rootCH.publicKey }, { nation: 'DE', root_key: rootDE.publicKey }, { nation: 'FR', root_key: rootFR.publicKey }], quorum: 2, predecessor: parseRecordId(genesis.id) },
    rootCH,
    T0 + 10 * DAY,
  )
  const approval = createRecord('CharterApproval', { charter: parseRecordId(succ.id) }, rootDE, T0 + 11 * DAY)
  const certs = [cert(rootCH, siteCH, 'CH', T0 + DAY), cert(rootDE, siteDE, 'DE', T0 + DAY), cert(rootFR, siteFR, 'FR', T0 + 12 * DAY)]
  return { genesis, succ, approval, certs, all: [genesis, succ, approval, ...certs] }
}

function answers(t: TrustState): string {
  const out: string[] = []
  for (const k of [siteCH, siteDE, siteFR]) for (const at of [T0, T0 + 2 * DAY, T0 + 10.5 * DAY, T0 + 11 * DAY, T0 + 13 * DAY, T0 + 400 * DAY]) out.push(t.siteStatus(k.publicKey, at).status)
  return out.join(',') + '|' + (t.currentCharter()?.charter.id ?? '-') + '|' + t.currentCharter()?.effectiveFrom
}

test('a successor takes effect at the quorum-completing approval; the proposer counts as one approval', () => {
  const w = world()
  const t = new TrustState(w.genesis.id)
  for (const r of w.all) t.apply(r)
  assert.equal(t.currentCharter()?.charter.id, w.succ.id)
  assert.equal(t.currentCharter()?.effectiveFrom, T0 + 11 * DAY)
  assert.equal(t.charterAt(T0 + 10.9 * DAY)?.charter.id, w.genesis.id)
  // FR's site is certified only once FR is a member root (its certificate is dated after the successor took effect).
  assert.equal(t.siteStatus(siteFR.publicKey, T0 + 13 * DAY).status, 'ok')
  assert.equal(t.rootAt(rootFR.publicKey, T0 + 5 * DAY), undefined)
  assert.equal(t.rootAt(rootFR.publicKey, T0 + 12 * DAY), 'FR')
  // Without DE's approval the successor never takes effect.
  const t2 = new TrustState(w.genesis.id)
  for (const r of w.all) if (r !== w.approval) t2.apply(r)
  assert.equal(t2.currentCharter()?.charter.id, w.genesis.id)
  assert.equal(t2.siteStatus(siteFR.publicKey, T0 + 13 * DAY).status, 'unknown')
})

test('the same records in any order give the same state (seeded permutations)', () => {
  const w = world()
  const ref = new TrustState(w.genesis.id)
  for (const r of w.all) ref.apply(r)
  const expected = answers(ref)
  let s = 7
  for (let trial = 0; trial < 40; trial++) {
    const recs = [...w.all, ...w.all.slice(0, 2)]
    for (let i = recs.length - 1; i > 0; i--) {
      s = (s * 1103515245 + 12345) % 2 ** 31
      const j = s % (i + 1)
      ;[recs[i], recs[j]] = [recs[j]!, recs[i]!]
    }
    const t = new TrustState(w.genesis.id)
    for (const r of recs) t.apply(r)
    assert.equal(answers(t), expected, `trial ${trial}`)
    assert.equal(t.pendingCount(), 0)
  }
})

test('competing successors: neither takes effect, the operator is alerted, validation IGNOREs both', () => {
  const w = world()
  const rival = createRecord('FederationCharter', { name: 'rival', members: [{ nation: 'DE', root_key: rootDE.publicKey }], quorum: 1, predecessor: parseRecordId(w.genesis.id) }, rootDE, T0 + 10 * DAY)
  const t = new TrustState(w.genesis.id)
  for (const r of [...w.all, rival]) t.apply(r)
  assert.equal(t.currentCharter()?.charter.id, w.genesis.id)
  assert.equal(t.alerts().length, 1)
  assert.match(t.alerts()[0]!, /competing successor/)
  for (const r of [w.succ, rival]) assert.equal(validateRecord(r.bytes, { now: T0 + 20 * DAY, trust: t }).code, 'charter_conflict')
  assert.equal(validateRecord(w.approval.bytes, { now: T0 + 20 * DAY, trust: t }).code, 'charter_conflict')
})

test('key revocation applies from effective_from; records are judged at their created time', () => {
  const w = world()
  const rev = createRecord('Revocation', { target_key: siteCH.publicKey, effective_from: T0 + 5 * DAY, reason: 'compromised' }, rootCH, T0 + 6 * DAY)
  const t = new TrustState(w.genesis.id)
  for (const r of [rev, ...w.all]) t.apply(r)
  const before = createRecord('BenchmarkResult', sampleBody('BenchmarkResult'), siteCH, T0 + 4 * DAY)
  const after = createRecord('BenchmarkResult', sampleBody('BenchmarkResult'), siteCH, T0 + 5 * DAY)
  assert.equal(validateRecord(before.bytes, { now: T0 + 30 * DAY, trust: t }).code, 'ok')
  assert.equal(validateRecord(after.bytes, { now: T0 + 30 * DAY, trust: t }).code, 'revoked_signer')
  assert.ok(t.isRevoked(siteCH.publicKey, T0 + 5 * DAY))
  // Another nation's root cannot revoke CH's site.
  const t2 = new TrustState(w.genesis.id)
  for (const r of [...w.all, createRecord('Revocation', { target_key: siteCH.publicKey, effective_from: T0, reason: 'hostile' }, rootDE, T0 + 6 * DAY)]) t2.apply(r)
  assert.equal(t2.siteStatus(siteCH.publicKey, T0 + 7 * DAY).status, 'ok')
  // A site may revoke its own key.
  const t3 = new TrustState(w.genesis.id)
  const self = createRecord('Revocation', { target_key: siteDE.publicKey, effective_from: T0 + 3 * DAY, reason: 'retired' }, siteDE, T0 + 3 * DAY)
  assert.equal(validateRecord(self.bytes, { now: T0 + 3 * DAY, trust: t3 }).code, 'charter_unknown')
  for (const r of w.all) t3.apply(r)
  assert.equal(validateRecord(self.bytes, { now: T0 + 3 * DAY, trust: t3 }).code, 'ok')
  t3.apply(self)
  // A key nobody certified cannot publish a self-revocation.
  const stranger = createRecord('Revocation', { target_key: KEYS.outsider.publicKey, effective_from: T0, reason: 'noise' }, KEYS.outsider, T0 + 3 * DAY)
  assert.equal(validateRecord(stranger.bytes, { now: T0 + 3 * DAY, trust: t3 }).code, 'unknown_signer')
  assert.equal(t3.siteStatus(siteDE.publicKey, T0 + 4 * DAY).status, 'revoked')
})

test('certificate revocation by CID; retraction only by the target signer', () => {
  const w = world()
  const chCert = w.certs[0]!
  const rev = createRecord('Revocation', { target: parseRecordId(chCert.id), effective_from: T0 + 2 * DAY, reason: 'reissued' }, rootCH, T0 + 2 * DAY)
  const t = new TrustState(w.genesis.id)
  for (const r of [...w.all, rev]) t.apply(r)
  assert.equal(t.siteStatus(siteCH.publicKey, T0 + 1.5 * DAY).status, 'ok')
  assert.equal(t.siteStatus(siteCH.publicKey, T0 + 2 * DAY).status, 'revoked')

  const result = createRecord('BenchmarkResult', sampleBody('BenchmarkResult'), siteDE, T0 + 3 * DAY)
  const byOther = createRecord('Retraction', { target: parseRecordId(result.id), reason: 'not yours' }, siteCH, T0 + 3 * DAY)
  const byOwner = createRecord('Retraction', { target: parseRecordId(result.id), reason: 'wrong seed' }, siteDE, T0 + 4 * DAY)
  t.apply(byOther)
  assert.equal(t.isRetracted(result), false)
  t.apply(byOwner)
  assert.equal(t.isRetracted(result), true)
})

test('signer rules: issuer must be the nation root; roles are enforced per type', () => {
  const w = world()
  const t = new TrustState(w.genesis.id)
  for (const r of w.all) t.apply(r)
  const wrongIssuer = cert(rootDE, siteFR, 'CH', T0 + 2 * DAY)
  assert.equal(validateRecord(wrongIssuer.bytes, { now: T0 + 2 * DAY, trust: t }).code, 'unknown_issuer')
  t.apply(wrongIssuer)
  assert.equal(t.siteStatus(siteFR.publicKey, T0 + 3 * DAY).status, 'unknown')
  const curatorOnly = cert(rootCH, KEYS.outsider, 'CH', T0 + 2 * DAY, ['curator'])
  t.apply(curatorOnly)
  const result = createRecord('BenchmarkResult', sampleBody('BenchmarkResult'), KEYS.outsider, T0 + 3 * DAY)
  assert.equal(validateRecord(result.bytes, { now: T0 + 3 * DAY, trust: t }).code, 'role_missing')
  const suite = createRecord('BenchmarkSuite', sampleBody('BenchmarkSuite'), KEYS.outsider, T0 + 3 * DAY)
  assert.equal(validateRecord(suite.bytes, { now: T0 + 3 * DAY, trust: t }).code, 'ok')
  // A charter approval by a non-member and one for an unknown charter.
  const appr = createRecord('CharterApproval', { charter: parseRecordId(w.succ.id) }, rootFR, T0 + 12 * DAY)
  assert.equal(validateRecord(appr.bytes, { now: T0 + 12 * DAY, trust: t }).code, 'unknown_issuer')
  const appr2 = createRecord('CharterApproval', { charter: fakeLink('nope') }, rootCH, T0 + 12 * DAY)
  assert.equal(validateRecord(appr2.bytes, { now: T0 + 12 * DAY, trust: t }).code, 'charter_unknown')
})

test('the pending buffer is bounded: one signer holds at most its share', () => {
  const t = new TrustState(fakeLink('genesis').toString())
  for (let i = 0; i < MAX_TRUST_PENDING_PER_SIGNER + 10; i++) t.apply(createRecord('CharterApproval', { charter: fakeLink(`c${i}`) }, rootCH, T0 + i))
  assert.equal(t.pendingCount(), MAX_TRUST_PENDING_PER_SIGNER)
  for (let i = 0; i < 10; i++) t.apply(createRecord('CharterApproval', { charter: fakeLink(`d${i}`) }, rootDE, T0 + i))
  assert.equal(t.pendingCount(), MAX_TRUST_PENDING_PER_SIGNER + 10)
})

test('fault 5 (§5.7): floods by fresh keys or by one member do not evict what a known root waits for', () => {
  const w = world()
  const t = build(w.genesis.id, [w.genesis, ...w.certs.slice(0, 2)], { pending: 6, pendingPerSigner: 3 })
  assert.deepEqual(t.apply(w.approval), []) // DE's approval of a successor not yet seen: waits
  // A certified member (CH's site) floods approvals of charters that do not exist: only its 3 newest stay.
  for (let i = 0; i < 10; i++) t.apply(createRecord('CharterApproval', { charter: fakeLink(`junk ${i}`) }, siteCH, T0 + i))
  // Fresh keys, one record each: the buffer is full, they displace each other first.
  for (let i = 0; i < 12; i++) t.apply(createRecord('CharterApproval', { charter: fakeLink(`junk ${i}`) }, seededKey(`fresh ${i}`), T0 + i))
  assert.equal(t.pendingCount(), 6)
  const placed = t.apply(w.succ).map((r) => r.id)
  assert.ok(placed.includes(w.approval.id), 'the approval survived the floods and is placed when its charter arrives')
  assert.equal(t.currentCharter()?.charter.id, w.succ.id)
})

test('retractions by keys without a certificate wait (bounded) and apply once the certificate arrives', () => {
  const w = world()
  const t = new TrustState(w.genesis.id)
  const result = createRecord('BenchmarkResult', sampleBody('BenchmarkResult'), siteDE, T0 + 3 * DAY)
  const retraction = createRecord('Retraction', { target: parseRecordId(result.id), reason: 'wrong seed' }, siteDE, T0 + 4 * DAY)
  t.apply(retraction)
  assert.equal(t.isRetracted(result), false)
  assert.equal(t.pendingCount(), 1)
  for (const r of w.all) t.apply(r)
  assert.equal(t.isRetracted(result), true)
  assert.equal(t.pendingCount(), 0)
})

test('order independence with revocations, retractions, a fork and junk (seeded permutations)', () => {
  const w = world()
  const result = createRecord('BenchmarkResult', sampleBody('BenchmarkResult'), siteDE, T0 + 3 * DAY)
  const extra = [
    createRecord('Revocation', { target_key: siteCH.publicKey, effective_from: T0 + 5 * DAY, reason: 'compromised' }, rootCH, T0 + 6 * DAY),
    createRecord('Revocation', { target: parseRecordId(w.certs[1]!.id), effective_from: T0 + 20 * DAY, reason: 'reissued' }, rootDE, T0 + 20 * DAY),
    createRecord('Revocation', { target_key: siteFR.publicKey, effective_from: T0 + 30 * DAY, reason: 'retired' }, siteFR, T0 + 30 * DAY),
    createRecord('Retraction', { target: parseRecordId(result.id), reason: 'wrong seed' }, siteDE, T0 + 4 * DAY),
    createRecord('Retraction', { target: parseRecordId(result.id), reason: 'not mine' }, KEYS.outsider, T0 + 4 * DAY),
    createRecord('CharterApproval', { charter: parseRecordId(w.succ.id) }, rootFR, T0 + 12 * DAY),
    cert(rootDE, KEYS.outsider, 'CH', T0 + DAY),
  ]
  const recs0 = [...w.all, ...extra]
  const state = (t: TrustState) =>
    answers(t) + '|' + t.isRetracted(result) + '|' + [T0 + 7 * DAY, T0 + 25 * DAY, T0 + 31 * DAY].map((at) => [siteCH, siteDE, siteFR, KEYS.outsider].map((k) => t.siteStatus(k.publicKey, at).status).join(',')).join(';')
  const ref = new TrustState(w.genesis.id)
  for (const r of recs0) ref.apply(r)
  const expected = state(ref)
  assert.match(expected, /\|true\|/)
  let s = 11
  for (let trial = 0; trial < 30; trial++) {
    const recs = [...recs0]
    for (let i = recs.length - 1; i > 0; i--) {
      s = (s * 1103515245 + 12345) % 2 ** 31
      const j = s % (i + 1)
      ;[recs[i], recs[j]] = [recs[j]!, recs[i]!]
    }
    const t = new TrustState(w.genesis.id)
    for (const r of recs) t.apply(r)
    assert.equal(state(t), expected, `trial ${trial}`)
  }
})

// ---- issue 11: a trust layer no single member can break -------------------------------------------------------

/** Applies records in order to a fresh state; returns it. */
function build(genesisId: string, recs: DecodedRecord[], limits = {}): TrustState {
  const t = new TrustState(genesisId, limits)
  for (const r of recs) t.apply(r)
  return t
}

test('fault 1 (§4.5): a site key retracting its own Revocation does not re-certify it, in either order', () => {
  const w = world()
  const rev = createRecord('Revocation', { target_key: siteCH.publicKey, effective_from: T0 + 5 * DAY, reason: 'retired' }, siteCH, T0 + 5 * DAY)
  // Backdated, signed by the revoked key itself (certified at its `created`).
  const retraction = createRecord('Retraction', { target: parseRecordId(rev.id), reason: 'never mind' }, siteCH, T0 + 4 * DAY)
  const revFirst = build(w.genesis.id, [...w.all, rev, retraction])
  const retractionFirst = build(w.genesis.id, [...w.all, retraction, rev])
  for (const t of [revFirst, retractionFirst]) {
    assert.equal(t.siteStatus(siteCH.publicKey, T0 + 6 * DAY).status, 'revoked')
    assert.equal(t.isRetracted(rev), false)
  }
  assert.equal(revFirst.fingerprint(), retractionFirst.fingerprint())
  assert.equal(retractionWithdraws(retraction, rev), false)
  // A retraction of an ordinary record by its signer still counts; by another key it does not.
  const result = createRecord('BenchmarkResult', sampleBody('BenchmarkResult'), siteCH, T0 + 2 * DAY)
  const own = createRecord('Retraction', { target: parseRecordId(result.id), reason: 'wrong seed' }, siteCH, T0 + 3 * DAY)
  revFirst.apply(own)
  assert.equal(revFirst.isRetracted(result), true)
  assert.equal(retractionWithdraws(own, result), true)
  assert.equal(retractionWithdraws(own, { ...result, signer: siteDE.publicKey }), false)
  assert.equal(retractionWithdraws(own, { ...result, id: rev.id }), false)
})

test('fault 1 (§4.5): a root that certified its own key cannot retract the genesis charter (nor a certificate, an approval)', () => {
  const w = world()
  const rootAsSite = cert(rootCH, rootCH, 'CH', T0 + DAY) // a root certifying its own key as a site
  const recs = [...w.all, rootAsSite]
  const retractions = [w.genesis, w.approval, w.certs[1]!].map((x) => createRecord('Retraction', { target: parseRecordId(x.id), reason: 'gone' }, rootCH, T0 + 2 * DAY))
  const t = build(w.genesis.id, [...recs, ...retractions])
  for (const x of [w.genesis, w.approval, w.certs[1]!]) assert.equal(t.isRetracted(x), false, x.type)
  assert.equal(answers(t), answers(build(w.genesis.id, recs)))
})

/** Genesis with CH and DE (quorum 2) and `n` competing successors proposed by DE. */
function competitors(n: number) {
  const w = world()
  return { w, rivals: Array.from({ length: n }, (_, i) => createRecord('FederationCharter', { name: `rival ${i}`, members: [{ nation: 'DE', root_key: rootDE.publicKey }], quorum: 1, predecessor: parseRecordId(w.genesis.id) }, rootDE, T0 + 10 * DAY + i)) }
}

test('fault 2 (§5.2): competing charters — two successors kept, one short alert per fork, the rest dropped', () => {
  const { w, rivals } = competitors(60)
  const t = new TrustState(w.genesis.id)
  for (const r of w.all) t.apply(r)
  const placed = rivals.map((r) => t.apply(r))
  assert.equal(t.successorsOf(w.genesis.id).length, 2)
  assert.deepEqual(placed.slice(1).map((p) => p.length), rivals.slice(1).map(() => 0)) // the 2nd… only the first rival joins w.succ
  assert.equal(t.alerts().length, 1)
  assert.ok(t.alerts()[0]!.length < 300, 'alert text does not grow with the competitors')
  assert.equal(t.currentCharter()?.charter.id, w.genesis.id)
  // Every later competitor is IGNOREd as a conflict, and costs no memory.
  assert.equal(validateRecord(rivals[59]!.bytes, { now: T0 + 20 * DAY, trust: t }).code, 'charter_conflict')
  // The fork's verdict does not depend on which two were kept.
  const reversed = build(w.genesis.id, [...[...rivals].reverse(), ...w.all])
  assert.equal(answers(reversed), answers(t))
})

test('fault 2 (§5.2): a charter is held only once its predecessor is in effect — no tree of unapproved charters', () => {
  const w = world()
  // DE proposes S1 (itself only, quorum 1); without CH's approval S1 never takes effect (genesis quorum 2).
  const s1 = createRecord('FederationCharter', { name: 's1', members: [{ nation: 'DE', root_key: rootDE.publicKey }], quorum: 1, predecessor: parseRecordId(w.genesis.id) }, rootDE, T0 + DAY)
  const children = Array.from({ length: 20 }, (_, i) => createRecord('FederationCharter', { name: `c${i}`, members: [{ nation: 'DE', root_key: rootDE.publicKey }], quorum: 1, predecessor: parseRecordId(s1.id) }, rootDE, T0 + 2 * DAY + i))
  const t = build(w.genesis.id, [w.genesis, s1, ...children])
  assert.ok(t.charter(s1.id))
  for (const c of children) assert.equal(t.charter(c.id), undefined)
  assert.equal(validateRecord(children[0]!.bytes, { now: T0 + 3 * DAY, trust: t }).code, 'charter_unknown')
  // Once S1 takes effect (CH approves), its first two successors are placed — and reported (§5.7).
  const placed = t.apply(createRecord('CharterApproval', { charter: parseRecordId(s1.id) }, rootCH, T0 + 2 * DAY))
  assert.equal(t.currentCharter()?.charter.id !== w.genesis.id, true)
  assert.deepEqual(placed.map((r) => r.id).slice(1).sort(), children.slice(0, 2).map((c) => c.id).sort())
  assert.equal(t.successorsOf(s1.id).length, 2)
})

test('fault 2 (§5.7): certificates per key and issuer are bounded; another root cannot crowd out a key', () => {
  const w = world()
  const base = build(w.genesis.id, w.all)
  // DE's root signs 40 certificates for CH's site key (nation DE): at most 16 kept, CH's own certificate untouched.
  const flood = Array.from({ length: 40 }, (_, i) => createRecord('SiteCertificate', { site_key: siteCH.publicKey, nation: 'DE', roles: [], not_before: T0, not_after: T0 + DAY + i }, rootDE, T0 + i))
  const t = build(w.genesis.id, [...w.all, ...flood])
  assert.equal(t.siteStatus(siteCH.publicKey, T0 + 3 * DAY).status, 'ok')
  assert.equal(t.siteAt(siteCH.publicKey, T0 + 3 * DAY)?.nation, 'CH')
  // Kept: the 16 with the latest not_after, in any order.
  const expect = build(w.genesis.id, [...w.all, ...flood.slice(-16)])
  assert.equal(t.fingerprint(), expect.fingerprint())
  assert.equal(build(w.genesis.id, [...[...flood].reverse(), ...w.all]).fingerprint(), expect.fingerprint())
  assert.notEqual(t.fingerprint(), base.fingerprint())
})

test('fault 2 (§5.7): one revocation per target and signer — the earliest; a flood of them holds one', () => {
  const w = world()
  const revs = Array.from({ length: 30 }, (_, i) => createRecord('Revocation', { target_key: siteCH.publicKey, effective_from: T0 + 40 * DAY - i * DAY, reason: `r${i}` }, rootCH, T0 + 2 * DAY))
  const earliest = revs[29]!
  const all = build(w.genesis.id, [...w.all, ...revs])
  assert.equal(all.fingerprint(), build(w.genesis.id, [...w.all, earliest]).fingerprint())
  assert.equal(all.fingerprint(), build(w.genesis.id, [...w.all, ...[...revs].reverse()]).fingerprint())
  assert.equal(all.siteStatus(siteCH.publicKey, earliest.body.effective_from - 1).status, 'ok')
  assert.equal(all.siteStatus(siteCH.publicKey, earliest.body.effective_from).status, 'revoked')
})

test('fault 2 (§5.7): every part stops at its bound, alerts once, and the state keeps answering', () => {
  const w = world()
  const limits = { certificates: 5, revocations: 3, retractions: 2, pending: 4, alerts: 3 }
  const t = build(w.genesis.id, w.all, limits) // holds 3 certificates
  const keys = Array.from({ length: 6 }, (_, i) => createRecord('SiteCertificate', { site_key: [KEYS.outsider, rootFR, rootDE, rootCH, siteDE, siteFR][i]!.publicKey, nation: 'CH', roles: [], not_before: T0, not_after: T0 + YEAR }, rootCH, T0 + 100 + i))
  for (const k of keys) t.apply(k)
  for (let i = 0; i < 6; i++) t.apply(createRecord('Revocation', { target: fakeLink(`cert ${i}`), effective_from: T0, reason: '' }, rootCH, T0 + i))
  for (let i = 0; i < 6; i++) t.apply(createRecord('Retraction', { target: fakeLink(`x ${i}`), reason: '' }, siteCH, T0 + DAY + i))
  for (let i = 0; i < 10; i++) t.apply(createRecord('CharterApproval', { charter: fakeLink(`nope ${i}`) }, rootCH, T0 + i))
  assert.equal(t.pendingCount(), 4)
  const alerts = t.alerts()
  assert.equal(alerts.length, 3)
  assert.match(alerts[0]!, /5 certificates/)
  assert.match(alerts[1]!, /3 revocations/)
  assert.match(alerts[2]!, /further alerts are not kept/)
  assert.equal(t.siteStatus(siteCH.publicKey, T0 + 2 * DAY).status, 'ok')
})

test('fault 3 (§4.4): a revocation withdraws exactly the records whose status it changes', () => {
  const w = world()
  const t = build(w.genesis.id, w.all)
  const result = (key: typeof siteCH, at: number) => ({ type: 'BenchmarkResult', signer: key.publicKey, created: at })
  const byCH = createRecord('Revocation', { target_key: siteCH.publicKey, effective_from: T0 + 5 * DAY, reason: 'compromised' }, rootCH, T0 + 6 * DAY)
  assert.equal(t.revocationEffect(byCH, result(siteCH, T0 + 7 * DAY)), false, 'not applied yet: no effect')
  t.apply(byCH)
  assert.equal(t.revocationEffect(byCH, result(siteCH, T0 + 7 * DAY)), true)
  assert.equal(t.revocationEffect(byCH, result(siteCH, T0 + 4 * DAY)), false, 'before effective_from')
  assert.equal(t.revocationEffect(byCH, result(siteDE, T0 + 7 * DAY)), false, 'another key')
  assert.equal(t.revocationEffect(byCH, { type: 'Revocation', signer: siteCH.publicKey, created: T0 + 7 * DAY }), false, 'federation records stay')
  assert.equal(t.revocationEffect(byCH, result(siteCH, T0 + 400 * DAY)), false, 'expired anyway: not this revocation')
  // Another nation's root never affects CH's site (§5.3 judges only the issuer's revocations).
  const byDE = createRecord('Revocation', { target_key: siteDE.publicKey, effective_from: T0, reason: 'hostile' }, rootCH, T0 + 6 * DAY)
  t.apply(byDE)
  assert.equal(t.revocationEffect(byDE, result(siteDE, T0 + 7 * DAY)), false)
  assert.equal(t.siteStatus(siteDE.publicKey, T0 + 7 * DAY).status, 'ok')
  // A later revocation by the same signer changes nothing; the certificate-targeted form resolves its key.
  const later = createRecord('Revocation', { target_key: siteCH.publicKey, effective_from: T0 + 9 * DAY, reason: 'again' }, rootCH, T0 + 9 * DAY)
  t.apply(later)
  assert.equal(t.revocationEffect(later, result(siteCH, T0 + 10 * DAY)), false)
  const byCert = createRecord('Revocation', { target: parseRecordId(w.certs[1]!.id), effective_from: T0 + 8 * DAY, reason: 'reissued' }, rootDE, T0 + 8 * DAY)
  t.apply(byCert)
  assert.deepEqual(t.revokedKey(byCert), siteDE.publicKey)
  assert.equal(t.revocationEffect(byCert, result(siteDE, T0 + 8 * DAY)), true)
  assert.equal(t.revocationEffect(byCert, result(siteDE, T0 + 7 * DAY)), false)
})

test('fault 3 (§4.4): during a fork, a foreign root\'s revocation withdraws nothing of another nation', () => {
  const w = world()
  // FR is a member only in the successor; a competitor ends the chain at the genesis: FR's site is uncertified.
  const rival = createRecord('FederationCharter', { name: 'rival', members: [{ nation: 'DE', root_key: rootDE.publicKey }], quorum: 1, predecessor: parseRecordId(w.genesis.id) }, rootDE, T0 + 12 * DAY)
  const frResult = { type: 'BenchmarkResult', signer: siteFR.publicKey, created: T0 + 13 * DAY }
  const t = build(w.genesis.id, w.all)
  assert.equal(t.siteStatus(siteFR.publicKey, frResult.created).status, 'ok')
  t.apply(rival)
  assert.equal(t.siteStatus(siteFR.publicKey, frResult.created).status, 'unknown')
  const byDE = createRecord('Revocation', { target_key: siteFR.publicKey, effective_from: T0, reason: 'hostile' }, rootDE, T0 + 14 * DAY)
  t.apply(byDE)
  assert.equal(t.revocationEffect(byDE, frResult), false)
  // Even FR's own root, during the fork, changes nothing: FR's site is not certified with or without it.
  const byFR = createRecord('Revocation', { target_key: siteFR.publicKey, effective_from: T0, reason: 'retired' }, rootFR, T0 + 14 * DAY)
  t.apply(byFR)
  assert.equal(t.revocationEffect(byFR, frResult), false)
})

test('fault 8 (§5.7): apply reports every record it placed, including records that waited for it', () => {
  const w = world()
  const t = new TrustState(w.genesis.id)
  assert.deepEqual(t.apply(w.certs[0]!), []) // waits for a charter naming its issuer
  assert.deepEqual(t.apply(w.approval), []) // waits for its charter
  assert.deepEqual(t.apply(w.succ), []) // waits for the genesis to be in effect
  const placed = t.apply(w.genesis).map((r) => r.id)
  assert.equal(placed[0], w.genesis.id)
  assert.deepEqual([...placed].sort(), [w.genesis.id, w.succ.id, w.approval.id, w.certs[0]!.id].sort())
  assert.equal(t.pendingCount(), 0)
  assert.deepEqual(t.apply(w.genesis), [], 'idempotent')
  assert.deepEqual(t.apply(createRecord('BenchmarkResult', sampleBody('BenchmarkResult'), siteCH, T0)), [], 'not a trust type')
})

test('fingerprint: equal for the same records in any order, different when the state differs', () => {
  const w = world()
  const a = build(w.genesis.id, w.all)
  const b = build(w.genesis.id, [...w.all].reverse())
  assert.match(a.fingerprint(), /^[0-9a-f]{64}$/)
  assert.equal(a.fingerprint(), b.fingerprint())
  assert.notEqual(a.fingerprint(), build(w.genesis.id, w.all.filter((r) => r !== w.approval)).fingerprint())
  const pendingOnly = build(w.genesis.id, [...w.all, createRecord('CharterApproval', { charter: fakeLink('later') }, rootCH, T0)])
  assert.equal(pendingOnly.fingerprint(), a.fingerprint(), 'buffered records do not count')
})

test('order independence: a fixed set of federation records in 20 seeded orders gives one fingerprint', async () => {
  const { mulberry32 } = await import('../../kernels/random.ts')
  const w = world()
  const members3 = [{ nation: 'CH', root_key: rootCH.publicKey }, { nation: 'DE', root_key: rootDE.publicKey }, { nation: 'FR', root_key: rootFR.publicKey }]
  const s2 = createRecord('FederationCharter', { name: 's2', members: members3, quorum: 2, predecessor: parseRecordId(w.succ.id) }, rootFR, T0 + 20 * DAY)
  const s3 = createRecord('FederationCharter', { name: 's3', members: members3, quorum: 3, predecessor: parseRecordId(s2.id) }, rootCH, T0 + 25 * DAY)
  // Three competitors of s2 (a fork at w.succ, found in any order; s2 and s3 leave the chain).
  const rivals = [0, 1, 2].map((i) => createRecord('FederationCharter', { name: `rival ${i}`, members: members3.slice(1), quorum: 1, predecessor: parseRecordId(w.succ.id) }, rootDE, T0 + 30 * DAY + i))
  const result = createRecord('BenchmarkResult', sampleBody('BenchmarkResult'), siteDE, T0 + 3 * DAY)
  const selfRev = createRecord('Revocation', { target_key: siteDE.publicKey, effective_from: T0 + 50 * DAY, reason: 'retired' }, siteDE, T0 + 50 * DAY)
  const recs: DecodedRecord[] = [
    ...w.all, s2, s3,
    createRecord('CharterApproval', { charter: parseRecordId(s2.id) }, rootCH, T0 + 21 * DAY),
    createRecord('CharterApproval', { charter: parseRecordId(s3.id) }, rootDE, T0 + 26 * DAY),
    createRecord('SiteCertificate', { site_key: KEYS.outsider.publicKey, nation: 'FR', roles: ['evaluator'], not_before: T0 + 22 * DAY, not_after: T0 + YEAR }, rootFR, T0 + 22 * DAY),
    ...rivals,
    ...[5, 9, 7, 6].map((d) => createRecord('Revocation', { target_key: siteCH.publicKey, effective_from: T0 + d * DAY, reason: `r${d}` }, rootCH, T0 + 10 * DAY)),
    createRecord('Revocation', { target_key: siteCH.publicKey, effective_from: T0, reason: 'foreign' }, rootDE, T0 + 10 * DAY),
    createRecord('Revocation', { target: parseRecordId(w.certs[2]!.id), effective_from: T0 + 40 * DAY, reason: 'reissued' }, rootFR, T0 + 40 * DAY),
    selfRev,
    createRecord('Retraction', { target: parseRecordId(selfRev.id), reason: 'undo' }, siteDE, T0 + 49 * DAY),
    createRecord('Retraction', { target: parseRecordId(w.genesis.id), reason: 'gone' }, siteCH, T0 + 2 * DAY),
    createRecord('Retraction', { target: parseRecordId(result.id), reason: 'wrong seed' }, siteDE, T0 + 4 * DAY),
    createRecord('Retraction', { target: parseRecordId(result.id), reason: 'not mine' }, KEYS.outsider, T0 + 4 * DAY),
    ...Array.from({ length: 20 }, (_, i) => createRecord('SiteCertificate', { site_key: siteCH.publicKey, nation: 'DE', roles: [], not_before: T0, not_after: T0 + 2 * DAY + i }, rootDE, T0 + i)),
    createRecord('CharterApproval', { charter: fakeLink('nowhere') }, rootCH, T0),
  ]
  const ref = build(w.genesis.id, recs)
  assert.equal(ref.currentCharter()?.charter.id, w.succ.id, 'the fork at the successor ends the chain there')
  assert.equal(ref.alerts().length, 1)
  const random = mulberry32(2026)
  for (let trial = 0; trial < 20; trial++) {
    const order = [...recs, ...recs.slice(0, 5)]
    for (let i = order.length - 1; i > 0; i--) {
      const j = Math.floor(random() * (i + 1))
      ;[order[i], order[j]] = [order[j]!, order[i]!]
    }
    const t = build(w.genesis.id, order)
    assert.equal(t.fingerprint(), ref.fingerprint(), `trial ${trial}`)
    assert.equal(answers(t), answers(ref), `trial ${trial}`)
    assert.equal(t.isRetracted(result), true)
  }
})
