import { test } from 'node:test'
import assert from 'node:assert/strict'
import { readFile, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { createRecord, generateSigningKey, parseRecordId } from '../../../protocol/index.ts'
import { readKeyFile } from '../../../node/site/keys.ts'
import { RecordStore } from '../../../node/store/store.ts'
import { joinSequence } from '../../../node/records/sequence.ts'
import { aip, aipJson, lines, withTmp } from './helpers.ts'

interface InitInfo { genesisCharter: string; siteKey: string }
interface Item { index: number; offset: number; id?: string; action: string; code: string }

const TARGET = parseRecordId('bafkreigh2akiscaildcqabsyg3dfr6chu3fgpregiymsck7e7aqa4s52zy')

async function listIds(dir: string): Promise<string[]> {
  const r = await aip('records', 'list', '--dir', dir, '--json')
  assert.equal(r.status, 0, r.stderr)
  return lines<{ id: string }>(r.stdout).map((x) => x.id).sort()
}

test('export → import round trip: a second site of the same federation ends with the same records', () => withTmp(async (tmp) => {
  const [a, b] = [join(tmp, 'a'), join(tmp, 'b')]
  const ia = await aipJson<InitInfo>(0, 'init', '--dir', a, '--nation', 'CH', '--json')
  const key = await readKeyFile(join(a, 'site.key'))
  const now = Date.now()
  const recs = Array.from({ length: 5 }, (_, i) => createRecord('Retraction', { target: TARGET, reason: `r${i}` }, key, now + i))
  await writeFile(join(tmp, 'recs.cbor'), joinSequence(recs.map((r) => r.bytes)))
  assert.equal((await aip('import', '--dir', a, join(tmp, 'recs.cbor'))).status, 0)

  // Export in reverse dependency order (results first): import's retry passes place everything anyway.
  const out = join(tmp, 'all.cbor')
  const exp = await aipJson<{ records: number; bytes: number }>(0, 'export', '--dir', a, '--type', 'Retraction', '--type', 'SiteCertificate', '--type', 'FederationCharter', '--out', out, '--json')
  assert.equal(exp.records, 7)
  assert.equal(exp.bytes, (await readFile(out)).length)

  await aipJson(0, 'init', '--dir', b, '--nation', 'FR', '--json')
  const joined = await aipJson<{ summary: { accept: number; records: number } }>(0, 'charter', 'join', '--dir', b, '--genesis', ia.genesisCharter, out, '--json')
  assert.deepEqual([joined.summary.records, joined.summary.accept], [7, 7])
  const idsA = await listIds(a)
  const idsB = await listIds(b)
  for (const id of idsA) assert.ok(idsB.includes(id), `${id} missing at b`)

  // Importing again: every record is a duplicate; nothing changes. Export to stdout is byte-identical to --out.
  const again = await aip('import', '--dir', b, out, '--json')
  assert.equal(again.status, 0)
  assert.ok(lines<Item>(again.stdout).slice(0, -1).every((o) => o.code === 'duplicate'))
  const stdoutExport = await new Promise<Buffer>((resolve, reject) => {
    import('node:child_process').then(({ execFile }) => execFile(process.execPath,
      [new URL('../../../bin/aip.js', import.meta.url).pathname, 'export', '--dir', a, '--type', 'Retraction', '--type', 'SiteCertificate', '--type', 'FederationCharter'],
      { encoding: 'buffer' }, (err, stdout) => (err ? reject(err) : resolve(stdout))))
  })
  assert.deepEqual(new Uint8Array(stdoutExport), new Uint8Array(await readFile(out)))

  // A retracts one of its records: gone at A; B imports the retraction and drops it too; re-importing it is refused.
  const ret = await aipJson<{ id: string; stored: boolean }>(0, 'records', 'retract', '--dir', a, recs[2].id, '--reason', 'wrong result', '--out', join(tmp, 'ret.cbor'), '--json')
  assert.equal(ret.stored, true)
  assert.ok(!(await listIds(a)).includes(recs[2].id))
  assert.equal((await aip('import', '--dir', b, join(tmp, 'ret.cbor'))).status, 0)
  assert.ok(!(await listIds(b)).includes(recs[2].id))
  await writeFile(join(tmp, 'old.cbor'), recs[2].bytes)
  const back = await aip('import', '--dir', b, join(tmp, 'old.cbor'), '--json')
  assert.equal(lines<Item>(back.stdout)[0].code, 'tombstoned')
  const foreign = await aip('records', 'retract', '--dir', b, recs[3].id)
  assert.equal(foreign.status, 1)
  assert.match(foreign.stderr, /only retract its own records/)
}))

test('hostile import: per-record codes, and nothing invalid is stored', () => withTmp(async (tmp) => {
  const a = join(tmp, 'a')
  await aipJson(0, 'init', '--dir', a, '--nation', 'CH', '--json')
  const key = await readKeyFile(join(a, 'site.key'))
  const now = Date.now()
  const good = createRecord('Retraction', { target: TARGET, reason: 'good' }, key, now)
  const badSig = Uint8Array.from(createRecord('Retraction', { target: TARGET, reason: 'tampered' }, key, now).bytes)
  badSig[badSig.length - 1] ^= 0x01 // last byte of the signature
  const stranger = createRecord('Retraction', { target: TARGET, reason: 'uncertified' }, generateSigningKey(new Uint8Array(32).fill(3)), now)
  const future = createRecord('Retraction', { target: TARGET, reason: 'from the future' }, key, now + 3_600_000)
  const notCose = Uint8Array.from([0x83, 0x01, 0x02, 0x03]) // a well-formed CBOR array, not a record
  const nonCanonical = Uint8Array.from([0xd2, 0x84, 0x40, 0xa0, 0x58, 0x01, 0x00, 0x40]) // bstr of 1 byte in a long form
  const truncated = good.bytes.subarray(0, 20) // the file ends in the middle of an item
  const file = joinSequence([good.bytes, badSig, stranger.bytes, future.bytes, notCose, nonCanonical, good.bytes])
  await writeFile(join(tmp, 'hostile.cbor'), file)

  const r = await aip('import', '--dir', a, join(tmp, 'hostile.cbor'), '--json')
  assert.equal(r.status, 1)
  const out = lines<Item & { summary?: Record<string, number> }>(r.stdout)
  const summary = out.pop()!.summary!
  const codes = out.map((o) => `${o.action}:${o.code}`)
  assert.deepEqual(codes, [
    'accept:ok', 'reject:bad_signature', 'ignore:unknown_signer', 'ignore:clock_skew', 'reject:bad_envelope',
    'reject:non_canonical', 'ignore:duplicate',
  ])
  assert.deepEqual(summary, { records: 7, accept: 1, ignore: 3, reject: 3, via: 'store' } as unknown as Record<string, number>)

  // fault 11: a valid record followed by garbage is refused whole — nothing of the file is imported, and the report
  // names the offset and the code; an indefinite-length item is non_canonical (aip-v1 §3.2, cbor.json), as the API says
  const fresh = createRecord('Retraction', { target: TARGET, reason: 'fresh' }, key, now)
  await writeFile(join(tmp, 'tail.cbor'), joinSequence([fresh.bytes, truncated]))
  const tail = await aip('import', '--dir', a, join(tmp, 'tail.cbor'), '--json')
  assert.equal(tail.status, 1)
  const tailItems = lines<Item>(tail.stdout).slice(0, -1)
  assert.deepEqual(tailItems.map((o) => `${o.action}:${o.code}`), ['ignore:not_imported', 'reject:undecodable'])
  assert.equal(tailItems[1].offset, fresh.bytes.length)
  await writeFile(join(tmp, 'indef.cbor'), joinSequence([fresh.bytes, Uint8Array.of(0x9f, 0x01, 0xff)]))
  const indef = lines<Item>((await aip('import', '--dir', a, join(tmp, 'indef.cbor'), '--json')).stdout).slice(0, -1)
  assert.deepEqual(indef.map((o) => `${o.action}:${o.code}`), ['ignore:not_imported', 'reject:non_canonical'])
  // fault 11: an empty file is an error for import and for verify alike
  await writeFile(join(tmp, 'empty.cbor'), new Uint8Array(0))
  for (const args of [['import', '--dir', a], ['records', 'verify', '--dir', a, '--file']]) {
    const e = await aip(...args, join(tmp, 'empty.cbor'))
    assert.equal(e.status, 1, args.join(' '))
    assert.match(e.stderr, /is empty: it holds no record/, args.join(' '))
  }

  const store = await RecordStore.open(join(a, 'store'))
  try {
    assert.equal(await store.count(), 3) // charter, certificate, the one good record
    assert.equal(await store.has(good.id), true)
    assert.equal(await store.has(stranger.id), false)
    assert.equal(await store.has(future.id), false)
    assert.equal(await store.has(fresh.id), false, 'a file with a malformed tail was half-imported')
    assert.deepEqual((await store.checkIntegrity()).problems, [])
  } finally {
    await store.close()
  }

  // Garbage of every kind is reported, never a crash: empty, random bytes, a huge declared length, deep nesting.
  const cases: [string, Uint8Array][] = [
    ['random', Uint8Array.from({ length: 512 }, (_, i) => (i * 131 + 7) & 0xff)],
    ['huge length', Uint8Array.from([0x5b, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x00])],
    ['deep nesting', new Uint8Array(100_000).fill(0x81)],
    ['indefinite', Uint8Array.from([0x9f, 0x01, 0xff])],
  ]
  for (const [name, bytes] of cases) {
    await writeFile(join(tmp, 'g.cbor'), bytes)
    const g = await aip('import', '--dir', a, join(tmp, 'g.cbor'), '--json')
    assert.equal(g.status, 1, name)
    const items = lines<Item>(g.stdout).slice(0, -1)
    assert.ok(items.length >= 1 && items.every((o) => o.action !== 'accept'), name)
    assert.equal(g.stderr, '', name)
  }
}))
