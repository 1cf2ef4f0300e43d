/**
 * Fault 5 (issue 11), on real libp2p over 127.0.0.1: the certificate is judged before anything of a hello is taken
 * in (network-v1 §3 H5 before H3). A peer of another federation whose hello carries certificates its own root signed
 * is refused and leaves nothing behind: no stored record, no buffered trust record, no admission through the door.
 * A hello holding a record of another type is refused (H2a).
 */
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { ROLES, createRecord, generateSigningKey } from '../../../protocol/index.ts'
import { Admission } from '../../../node/net/admission.ts'
import { benchmarkResult, createTestbed } from '../../../node/net/testbed.ts'
import { sitePaths } from '../../../node/site/dir.ts'
import { RecordStore } from '../../../node/store/store.ts'
import type { Source } from '../../../node/records/index.ts'
import { addrOf, startNode, until } from './helpers.ts'

const NOW = Date.now()

test('a hello is judged before it is taken in: a refused peer leaves nothing stored, buffered or admitted (H5 before H3)', async () => {
  const work = await mkdtemp(join(tmpdir(), 'aip-hello-admission-'))
  try {
    const ours = await createTestbed(join(work, 'ours'), 1, NOW)
    const theirs = await createTestbed(join(work, 'theirs'), 1, NOW, 'elsewhere')
    // Their store holds 40 certificates their own root signed: their hello carries them all.
    const store = await RecordStore.open(sitePaths(theirs.sites[0].dir).store)
    await store.putMany(Array.from({ length: 40 }, (_, i) => createRecord('SiteCertificate', {
      site_key: generateSigningKey(new Uint8Array(32).fill(100 + i)).publicKey, nation: 'CH', roles: [...ROLES], not_before: NOW - 1000, not_after: NOW + 86_400_000,
    }, theirs.sites[0].rootKey, NOW)))
    await store.close()

    const a = await startNode(ours.sites[0].dir, { sync: false })
    try {
      const hello: Source[] = []
      a.node.records.on('outcome', ({ source }) => { if (source.via === 'hello') hello.push(source) })
      const [records, pending] = [await a.node.store.count(), a.node.trust.pendingCount()]
      const b = await startNode(theirs.sites[0].dir, { bootstrap: [addrOf(a.node)], sync: false })
      try {
        await until(() => (a.node.network.gate.refusals.get('not_certified') ?? 0) >= 1, 'the refusal')
      } finally {
        await b.node.stop()
      }
      assert.equal(await a.node.store.count(), records, 'a refused hello stored records')
      assert.equal(a.node.trust.pendingCount(), pending, 'a refused hello filled the trust state\'s pending buffer')
      assert.deepEqual(hello, [], 'records of a refused hello went through the door')

      // H2a: a hello carrying a record of another type is refused before any signature is checked.
      const admission = new Admission(a.node.records, ours.sites[0].key.publicKey)
      const mine = await admission.ownHello(NOW)
      const stray = await admission.place({ certificate: mine.certificate, federation: [...mine.federation, benchmarkResult(ours.sites[0].key, 1, NOW).bytes] }, ours.sites[0].key.publicKey, NOW, 'peer')
      assert.deepEqual(stray.ok ? 'ok' : stray.code, 'bad_hello')
      // … and the well-formed one passes.
      assert.equal((await admission.place(mine, ours.sites[0].key.publicKey, NOW, 'peer')).ok, true)
    } finally {
      await a.node.stop()
    }
  } finally {
    await rm(work, { recursive: true, force: true })
  }
})
