/**
 * Fault 8 (issue 11), on real libp2p over 127.0.0.1 with sync off: a certificate a site had to buffer (its issuer
 * was no member yet) is placed once the charter naming its issuer takes effect; the site then re-validates and
 * stores it and forwards it, so a neighbour that never received it holds it too (aip-v1 §5.7).
 */
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { ROLES, createRecord, generateSigningKey, parseRecordId } from '../../../protocol/index.ts'
import { createTestbed } from '../../../node/net/testbed.ts'
import { addrOf, admittedCount, startNode, until } from './helpers.ts'

const NOW = Date.now()

test('a buffered certificate placed later is stored at this site and reaches its neighbour', async () => {
  const work = await mkdtemp(join(tmpdir(), 'aip-placed-'))
  const bed = await createTestbed(work, 2, NOW) // CH and DE, quorum 2
  const a = await startNode(bed.sites[0].dir, { sync: false })
  const b = await startNode(bed.sites[1].dir, { bootstrap: [addrOf(a.node)], sync: false })
  try {
    await until(() => admittedCount(a.node) === 1 && admittedCount(b.node) === 1, 'hello both ways')
    const rootFR = generateSigningKey(new Uint8Array(32).fill(71))
    const certFR = createRecord('SiteCertificate', {
      site_key: generateSigningKey(new Uint8Array(32).fill(72)).publicKey, nation: 'FR', roles: [...ROLES], not_before: NOW, not_after: NOW + 86_400_000,
    }, rootFR, NOW + 2)
    const members = [...bed.sites.map((s) => ({ nation: s.nation, root_key: s.rootKey.publicKey })), { nation: 'FR', root_key: rootFR.publicKey }]
    const successor = createRecord('FederationCharter', { name: 'with FR', members, quorum: 2, predecessor: parseRecordId(bed.charter.id) }, bed.sites[0].rootKey, NOW + 1)
    const approval = createRecord('CharterApproval', { charter: parseRecordId(successor.id) }, bed.sites[1].rootKey, NOW + 1)

    assert.deepEqual(await a.node.publish(certFR.bytes).then((o) => `${o.action} ${o.code}`), 'ignore unknown_issuer')
    for (const r of [successor, approval]) assert.equal((await a.node.publish(r.bytes)).action, 'accept')
    assert.equal(a.node.trust.currentCharter()?.charter.id, successor.id)
    assert.equal(await a.node.store.has(certFR.id), true, 'the placed certificate was not stored')
    await until(() => b.node.store.has(certFR.id), 'the placed certificate to reach the neighbour')
  } finally {
    await b.node.stop()
    await a.node.stop()
    await rm(work, { recursive: true, force: true })
  }
})
