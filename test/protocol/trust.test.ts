import { test } from 'node:test'
import assert from 'node:assert/strict'
import { createRecord } from '../../protocol/records/index.ts'
import type { DecodedRecord } from '../../protocol/records/index.ts'
import { TrustState } from '../../protocol/trust.ts'
import { validateRecord } from '../../protocol/validate.ts'
import { parseRecordId } from '../../protocol/ids.ts'
import { MAX_TRUST_PENDING } from '../../protocol/constants.ts'
import { KEYS, T0, DAY, sampleBody, fakeLink } from './fixtures.ts'

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

test('the pending buffer is bounded', () => {
  const t = new TrustState(fakeLink('genesis').toString())
  const recs: DecodedRecord[] = []
  for (let i = 0; i < MAX_TRUST_PENDING + 10; i++) recs.push(createRecord('CharterApproval', { charter: fakeLink(`c${i}`) }, rootCH, T0 + i))
  for (const r of recs) t.apply(r)
  assert.equal(t.pendingCount(), MAX_TRUST_PENDING)
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
