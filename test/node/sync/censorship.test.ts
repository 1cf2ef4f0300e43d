/**
 * Fault 4 (issue 11), over real sync sessions on 127.0.0.1 with level stores: a Retraction naming an ID a site does
 * not hold yet must not keep that record out of sync when someone else signs it (sync-v1 §2); a Retraction by the
 * record's own signer keeps it out once the site has seen who signed it.
 */
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { rm } from 'node:fs/promises'
import { multiaddr } from '@multiformats/multiaddr'
import { ROLES, createRecord, parseRecordId } from '../../../protocol/index.ts'
import { digestOfId } from '../../../node/sync/index.ts'
import { FED, T0, makeRecord, seededKey, startSite } from './site.ts'

test('a pre-emptive Retraction by another member does not censor a record at a site that was offline (sync-v1 §2)', async () => {
  const a = await startSite()
  const b = await startSite()
  try {
    const censor = seededKey('censor')
    const certificate = createRecord('SiteCertificate', { site_key: censor.publicKey, nation: 'CH', roles: [...ROLES], not_before: T0, not_after: T0 + 365 * 86_400_000 }, seededKey('root CH'), T0)
    const wanted = makeRecord('censored', 1, 1)
    const ownRetracted = makeRecord('own', 2, 1)
    for (const r of [certificate, wanted, ownRetracted]) assert.equal((await a.accept(r.bytes)).action, 'accept')
    assert.equal((await b.accept(certificate.bytes)).action, 'accept')
    // At B, before B has either record: another member retracts `wanted`'s ID, and its own signer retracts `ownRetracted`'s.
    const byOther = createRecord('Retraction', { target: parseRecordId(wanted.id), reason: 'censor' }, censor, T0 + 10)
    const byOwner = createRecord('Retraction', { target: parseRecordId(ownRetracted.id), reason: 'withdrawn' }, FED.siteKey, T0 + 10)
    for (const r of [byOther, byOwner]) assert.equal((await b.accept(r.bytes)).action, 'accept')

    await b.sync.syncWith(multiaddr(a.addr()))
    assert.equal(await b.store.has(wanted.id), true, 'a Retraction by another signer censored the record')
    assert.equal(await b.store.has(ownRetracted.id), false, 'a record retracted by its own signer was stored')
    // The owner's tombstone now names the record's own signer: it keeps the ID out of sync from here on.
    assert.equal(b.index.tombstones().has(digestOfId(ownRetracted.id)), true)
    await b.index.reload()
    assert.equal(b.index.tombstones().has(digestOfId(ownRetracted.id)), true, 'the confirmation did not survive a reload')
    assert.equal(b.index.tombstones().has(digestOfId(wanted.id)), false)
    const again = await b.sync.syncWith(multiaddr(a.addr()))
    assert.equal(again.records, 0, 'the withdrawn record was fetched again')
  } finally {
    for (const s of [a, b]) {
      await s.stop()
      await rm(s.dir, { recursive: true, force: true })
    }
  }
})
