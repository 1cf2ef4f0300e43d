/**
 * The dashboard's verifier (node/ui/app/verify.ts) on real signed records, in Node: the same code the browser bundle
 * runs (there with @noble/ed25519 behind the node:crypto shim). And the committed bundle is the one the sources build.
 */
import '../../../node/polyfill.ts'
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { createRecord, generateSigningKey, parseRecordId } from '../../../protocol/index.ts'
import { benchmarkResult, createTestbed } from '../../../node/net/testbed.ts'
import { BrowserVerifier, splitBatch, verifyEnvelopes } from '../../../node/ui/app/verify.ts'
import { links } from '../../../node/ui/app/links.ts'
import { link } from '../../../protocol/index.ts'
import { buildUiBundle } from '../../../scripts/ui-bundle.ts'
import { APP_CSS, APP_JS } from '../../../node/ui/bundle.generated.ts'

test('verifyEnvelopes: valid records pass; a forged signature, an uncertified signer, bad bytes and a foreign genesis fail with their codes', async () => {
  const work = await mkdtemp(join(tmpdir(), 'aip-ui-verify-'))
  try {
    const now = Date.now() - 10_000
    const bed = await createTestbed(work, 2, now)
    const good = [bed.charter.bytes, ...bed.sites.map((s) => s.certificate.bytes), ...[0, 1, 2].map((i) => benchmarkResult(bed.sites[i % 2].key, i, now + i).bytes)]
    const forged = Uint8Array.from(benchmarkResult(bed.sites[0].key, 9, now).bytes)
    forged[forged.length - 3] ^= 0x40
    const stranger = createRecord('Retraction', { target: parseRecordId(bed.charter.id), reason: 'x' }, generateSigningKey(new Uint8Array(32).fill(7)), now).bytes
    const garbage = Uint8Array.of(0xd2, 0x9f, 0x01, 0xff)
    const v = verifyEnvelopes([...good, forged, stranger, garbage], bed.charter.id, Date.now())
    assert.deepEqual(v.verdicts.map((x) => x.code), [...good.map(() => 'ok'), 'bad_signature', 'unknown_signer', 'non_canonical'])
    assert.equal(v.verdicts[good.length].ok, false)
    assert.equal(v.trust.currentCharter()?.charter.id, bed.charter.id)
    // pinned to another genesis, the same records prove nothing
    const other = verifyEnvelopes(good, bed.sites[0].certificate.id, Date.now())
    assert.equal(other.verdicts.filter((x) => x.ok).length, 0)
  } finally {
    await rm(work, { recursive: true, force: true })
  }
})

test('BrowserVerifier: records fed before the certificates that authorize them are judged again when those arrive; duplicates are skipped', async () => {
  const work = await mkdtemp(join(tmpdir(), 'aip-ui-verify-'))
  try {
    const now = Date.now() - 10_000
    const bed = await createTestbed(work, 2, now)
    const results = [0, 1].map((i) => benchmarkResult(bed.sites[1].key, i, now + i).bytes)
    const v = new BrowserVerifier(bed.charter.id, Date.now())
    v.add([bed.charter.bytes, ...results])
    assert.deepEqual(v.verdicts.map((x) => x.code), ['ok', 'unknown_signer', 'unknown_signer'], 'a result of a site not yet certified here')
    v.add(bed.sites.map((s) => s.certificate.bytes))
    assert.deepEqual(v.verdicts.map((x) => x.code), ['ok', 'ok', 'ok', 'ok', 'ok'], 'the same results, once the certificate is known')
    v.add([...results, bed.charter.bytes])
    assert.equal(v.count, 5, 'the same bytes twice are one record')
    // the site's local reviews are judged against the same state without joining the record list
    assert.deepEqual(v.check([results[0]!]).map((x) => x.code), ['ok'])
    assert.equal(v.verdicts.length, 5)
  } finally {
    await rm(work, { recursive: true, force: true })
  }
})

test('provenance links: every CID in a record body with its path, whatever the field, nested or in lists', () => {
  const a = 'bafkreibfm2c57o25mwuj7bl5xruwex2iqpucrrxymcmkvs3ae4vdzhaude', b = 'bafkreierquabia6pxzdz76f3dqow2og3kb3tdxw3a5zhxngaqcmkr4v5ty'
  const body = { name: 'x', base: link(a), inputs: { bundles: [link(a), link(b)], weights: new Uint8Array(32) }, n: 3 }
  assert.deepEqual(links(body), [{ path: 'base', id: a }, { path: 'inputs.bundles[0]', id: a }, { path: 'inputs.bundles[1]', id: b }])
  assert.deepEqual(links({ scores: [{ score: 1 }] }), [])
})

test('splitBatch: length-prefixed envelopes; a truncated or padded batch is refused', () => {
  const batch = Uint8Array.of(0, 0, 0, 2, 9, 9, 0, 0, 0, 1, 7)
  assert.deepEqual(splitBatch(batch).map((b) => [...b]), [[9, 9], [7]])
  assert.throws(() => splitBatch(batch.subarray(0, 10)), /truncated/)
  assert.throws(() => splitBatch(Uint8Array.of(...batch, 0)), /trailing/)
})

test('the committed browser bundle (node/ui/bundle.generated.ts) is what node/ui/app builds to (scripts/build-ui.ts)', async () => {
  const b = await buildUiBundle(fileURLToPath(new URL('../../../', import.meta.url)))
  assert.equal(APP_CSS, b.css, 'stale bundle: run node --import tsx scripts/build-ui.ts')
  assert.ok(APP_JS === b.js, 'stale bundle: run node --import tsx scripts/build-ui.ts')
  assert.doesNotMatch(APP_JS, /https?:\/\/(?!www\.w3\.org)[a-z]/i, 'the bundle names no remote host to load from')
})
