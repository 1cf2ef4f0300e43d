import { test } from 'node:test'
import assert from 'node:assert/strict'
import { chmod, chown, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createSiteDir, defaultConfig, openSite, readApiToken, readRootKey, saveConfig, sitePaths } from '../../../node/site/dir.ts'
import { newKey, keyFromSeed } from '../../../node/site/keys.ts'
import { SiteError } from '../../../node/site/errors.ts'
import { initSite } from '../../../node/site/init.ts'
import { peerIdOfKey, peerIdOfPublicKey, libp2pPrivateKey } from '../../../node/site/peer-id.ts'

const GENESIS = 'bafkreigh2akiscaildcqabsyg3dfr6chu3fgpregiymsck7e7aqa4s52zy'

async function tmp(): Promise<string> {
  return mkdtemp(join(tmpdir(), 'aip-site-'))
}

const isSiteError = (code: string) => (e: unknown) => e instanceof SiteError && e.code === code

test('a new site directory: secret files are 0600, config round-trips, openSite returns the same key', async () => {
  const dir = await tmp()
  try {
    const key = await newKey()
    const root = await newKey()
    const site = await createSiteDir(join(dir, 's'), defaultConfig('CH', GENESIS), key, root)
    const p = sitePaths(site.dir)
    for (const f of [p.siteKey, p.rootKey, p.apiToken]) assert.equal((await stat(f)).mode & 0o777, 0o600, f)
    assert.equal((await stat(p.config)).mode & 0o077, 0o044)
    const opened = await openSite(site.dir)
    assert.deepEqual(opened.key, key)
    assert.deepEqual(opened.config, site.config)
    assert.deepEqual(await readRootKey(opened), root)
    assert.match(await readApiToken(site.dir), /^[0-9a-f]{64}$/)
    opened.config.bootstrap = ['/ip4/127.0.0.1/tcp/4001/p2p/12D3KooWExample']
    await saveConfig(opened)
    assert.deepEqual((await openSite(site.dir)).config.bootstrap, opened.config.bootstrap)
    // Fields another subsystem added survive a load/save round trip.
    await writeFile(p.config, JSON.stringify({ ...opened.config, gossip: { fanout: 6 }, limits: { ...opened.config.limits, signerRatePerS: 50 } }))
    const extended = await openSite(site.dir)
    await saveConfig(extended)
    const raw = JSON.parse(await readFile(p.config, 'utf8')) as { gossip: unknown; limits: { signerRatePerS: number } }
    assert.deepEqual(raw.gossip, { fanout: 6 })
    assert.equal(raw.limits.signerRatePerS, 50)
    assert.equal(extended.config.limits.signerRatePerS, 50)
  } finally {
    await rm(dir, { recursive: true, force: true })
  }
})

test('createSiteDir refuses a non-empty directory; openSite explains a non-site directory', async () => {
  const dir = await tmp()
  try {
    await writeFile(join(dir, 'something'), 'x')
    await assert.rejects(createSiteDir(dir, defaultConfig('CH', GENESIS), await newKey()), isSiteError('already_exists'))
    await assert.rejects(openSite(dir), isSiteError('not_a_site'))
    await assert.rejects(openSite(join(dir, 'absent')), isSiteError('not_a_site'))
  } finally {
    await rm(dir, { recursive: true, force: true })
  }
})

test('a key file readable by others is refused; a damaged key or config gets a clear code', async () => {
  const dir = await tmp()
  try {
    const site = await createSiteDir(join(dir, 's'), defaultConfig('FR', GENESIS), await newKey())
    const p = sitePaths(site.dir)
    await assert.rejects(readRootKey(site), isSiteError('missing_file'))
    await chmod(p.siteKey, 0o644)
    await assert.rejects(openSite(site.dir), (e: unknown) => isSiteError('insecure_mode')(e) && /chmod 600/.test((e as Error).message))
    await chmod(p.siteKey, 0o600)
    const doc = JSON.parse(await readFile(p.siteKey, 'utf8')) as { public: string }
    await writeFile(p.siteKey, JSON.stringify({ ...doc, public: '00'.repeat(32) }))
    await assert.rejects(openSite(site.dir), isSiteError('bad_key_file'))
    await writeFile(p.siteKey, 'not json')
    await assert.rejects(openSite(site.dir), isSiteError('bad_key_file'))
    for (const bad of ['{', '{"version":2}', JSON.stringify({ ...site.config, nation: 'xx' }), JSON.stringify({ ...site.config, api: { host: 'h', port: 70000 } }),
      JSON.stringify({ ...site.config, limits: { apiMaxBodyBytes: -1 } })]) {
      await writeFile(p.config, bad)
      await assert.rejects(openSite(site.dir), isSiteError('bad_config'), bad)
    }
  } finally {
    await rm(dir, { recursive: true, force: true })
  }
})

test('one key: the PeerId from the site key matches the PeerId of its public key (what certificates carry)', async () => {
  const key = await keyFromSeed(new Uint8Array(32).fill(7))
  const fromSeed = await peerIdOfKey(key)
  assert.equal(fromSeed.toString(), peerIdOfPublicKey(key.publicKey).toString())
  assert.deepEqual((await libp2pPrivateKey(key)).publicKey.raw, key.publicKey)
  assert.match(fromSeed.toString(), /^12D3KooW/)
})

test('aip init creates a safe site even under a permissive umask; an unsafe one is refused with the fix', async () => {
  const dir = await tmp()
  const umask = process.umask(0o002) // group-writable by default, as on many shared hosts
  try {
    const site = (await initSite(join(dir, 's'), { nation: 'CH' })).site
    const p = sitePaths(site.dir)
    assert.equal((await stat(site.dir)).mode & 0o777, 0o700)
    assert.equal((await stat(p.config)).mode & 0o777, 0o644)
    for (const f of [p.siteKey, p.rootKey, p.apiToken]) assert.equal((await stat(f)).mode & 0o777, 0o600, f)
    await openSite(site.dir)

    const refused = async (code: string, fix: RegExp) => assert.rejects(openSite(site.dir),
      (e: unknown) => isSiteError(code)(e) && fix.test((e as Error).message))
    await chmod(site.dir, 0o775) // another user of the group could replace config.json (the trust anchor)
    await refused('insecure_mode', new RegExp(`chmod 700 ${site.dir}\\)`))
    await chmod(site.dir, 0o700)
    await chmod(p.config, 0o666)
    await refused('insecure_mode', new RegExp(`chmod 644 ${p.config}\\)`))
    await chmod(p.config, 0o644)
    await saveConfig(site) // rewriting the config keeps it safe
    assert.equal((await stat(p.config)).mode & 0o777, 0o644)
    await openSite(site.dir)
    if (process.getuid?.() === 0) { // only root can give a file away; elsewhere the mode checks above still run
      await chown(p.config, 4242, 4242)
      await refused('insecure_owner', new RegExp(`chown 0 ${p.config}`))
      await chown(p.config, 0, 0)
      await chown(p.siteKey, 4242, 4242)
      await refused('insecure_owner', /site\.key is owned by uid 4242/)
    }
  } finally {
    process.umask(umask)
    await rm(dir, { recursive: true, force: true })
  }
})
