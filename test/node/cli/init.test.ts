import { test } from 'node:test'
import assert from 'node:assert/strict'
import { stat } from 'node:fs/promises'
import { join } from 'node:path'
import { aip, aipJson, lines, withTmp } from './helpers.ts'

interface InitInfo { dir: string; peerId: string; nation: string; genesisCharter: string; certificate: string; siteKey: string; rootKey: string }

test('aip init creates a site whose own records list and verify; secrets are 0600', () => withTmp(async (tmp) => {
  const dir = join(tmp, 'ch')
  const info = await aipJson<InitInfo>(0, 'init', '--dir', dir, '--nation', 'CH', '--json')
  assert.match(info.peerId, /^12D3KooW/)
  assert.equal(info.nation, 'CH')
  for (const f of ['site.key', 'nation-root.key', 'api.token']) assert.equal((await stat(join(dir, f))).mode & 0o777, 0o600, f)

  const id = await aipJson(0, 'id', '--dir', dir, '--json')
  assert.equal(id.peerId, info.peerId)
  assert.equal(id.siteKey, info.siteKey)
  assert.equal(id.rootKey, info.rootKey)

  const list = await aip('records', 'list', '--dir', dir, '--json')
  assert.equal(list.status, 0, list.stderr)
  const records = lines<{ id: string; type: string; signer: string }>(list.stdout)
  assert.deepEqual(records.map((r) => r.type).sort(), ['FederationCharter', 'SiteCertificate'])
  assert.equal(records.find((r) => r.type === 'FederationCharter')?.id, info.genesisCharter)
  assert.ok(records.every((r) => r.signer === info.rootKey))

  const verify = await aip('records', 'verify', '--dir', dir, '--json', info.genesisCharter, info.certificate)
  assert.equal(verify.status, 0, verify.stdout + verify.stderr)
  assert.deepEqual(lines<{ action: string }>(verify.stdout).map((o) => o.action), ['accept', 'accept'])

  const show = await aipJson<{ type: string; body: { site_key: string; nation: string } }>(0, 'records', 'show', '--dir', dir, info.certificate, '--json')
  assert.equal(show.type, 'SiteCertificate')
  assert.equal(show.body.site_key, info.siteKey)

  const check = await aipJson<{ records: number; indexEntries: number; problems: string[] }>(0, 'records', 'check', '--dir', dir, '--json')
  assert.deepEqual([check.records, check.indexEntries, check.problems], [2, 4, []]) // store format 2: per record a created and a type index entry

  const charter = await aipJson<{ id: string; quorum: number; members: { nation: string }[] }>(0, 'charter', 'show', '--dir', dir, '--json')
  assert.equal(charter.id, info.genesisCharter)
  assert.deepEqual(charter.members.map((m) => m.nation), ['CH'])
}))

test('clear errors: existing site, bad nation, not a site directory, missing flags, unknown subcommand', () => withTmp(async (tmp) => {
  const dir = join(tmp, 's')
  assert.equal((await aip('init', '--dir', dir, '--nation', 'FR')).status, 0)
  const again = await aip('init', '--dir', dir, '--nation', 'FR')
  assert.equal(again.status, 1)
  assert.match(again.stderr, /not empty/)
  const nation = await aip('init', '--dir', join(tmp, 't'), '--nation', 'france')
  assert.equal(nation.status, 1)
  assert.match(nation.stderr, /ISO 3166-1 alpha-2/)
  const notSite = await aip('records', 'list', '--dir', tmp)
  assert.equal(notSite.status, 1)
  assert.match(notSite.stderr, /not an AIP site directory/)
  const noDir = await aip('records', 'list')
  assert.equal(noDir.status, 2)
  assert.match(noDir.stderr, /--dir DIR is required/)
  const unknownFlag = await aip('records', 'list', '--dir', dir, '--bogus')
  assert.equal(unknownFlag.status, 2)
  const sub = await aip('charter', 'frobnicate', '--dir', dir)
  assert.equal(sub.status, 2)
  assert.match(sub.stderr, /unknown subcommand 'frobnicate'/)
}))

test('every command has --help (in-process: loads each command module)', async () => {
  const log = console.log
  const printed: string[] = []
  console.log = (s: string) => { printed.push(s) }
  try {
    for (const cmd of ['init', 'id', 'config', 'records', 'publish', 'import', 'export', 'cert', 'revoke', 'charter']) {
      const mod = (await import(`../../../node/cli/commands/${cmd}.ts`)) as { default: { run(a: string[]): Promise<number>; summary: string } }
      assert.ok(mod.default.summary.length > 0)
      assert.equal(await mod.default.run(['--help']), 0, cmd)
      assert.match(printed.pop() ?? '', /^Usage: aip /, cmd)
    }
  } finally {
    console.log = log
  }
})
