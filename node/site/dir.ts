/**
 * The site directory: everything one sovereign site keeps on disk (layout in node/README.md).
 *
 * The directory is 0700 and, like config.json and the key files, owned by the user running aip (permissions.ts).
 *
 *   DIR/config.json       SiteConfig (0644)
 *   DIR/site.key          the site's Ed25519 seed: record signer and PeerId (0600)
 *   DIR/nation-root.key   the nation root key, when this site holds one (0600); never leaves the directory
 *   DIR/api.token         bearer token of the local HTTP API (0600)
 *   DIR/store/            the record store (level)
 *   DIR/node.json         written by `aip start` while the node runs
 */
import { randomBytes } from 'node:crypto'
import { chmod, mkdir, readdir, readFile, writeFile, rename } from 'node:fs/promises'
import { join, resolve } from 'node:path'
import { MAX_ENVELOPE_BYTES } from '../../protocol/index.ts'
import type { SigningKey } from './signing-key.ts'
import { API_TOKEN_BYTES, API_TOKEN_FILE, CONFIG_FILE, CONFIG_VERSION, DEFAULT_API_HOST, DEFAULT_API_PORT,
  DEFAULT_LISTEN, NATION_CODE, ROOT_KEY_FILE, SITE_KEY_FILE, STORE_DIR } from './constants.ts'
import { SiteError } from './errors.ts'
import { readKeyFile, readSecretFile, writeKeyFile, writeSecretFile } from './keys.ts'
import { checkPath, SAFE_MODE } from './permissions.ts'

/** Operational limits of the node; defaults in DEFAULT_LIMITS. Network limits are node-net's (specs/network-v1.md). */
export interface SiteLimits {
  /** Largest body POST /v1/records accepts, bytes. */
  apiMaxBodyBytes: number
  /** Most records one GET /v1/records page returns. */
  apiMaxPageSize: number
  [name: string]: number
}

export const DEFAULT_LIMITS: SiteLimits = {
  apiMaxBodyBytes: MAX_ENVELOPE_BYTES, // the largest record any type allows (specs/aip-v1.md constants)
  apiMaxPageSize: 1000,
}

export interface SiteConfig {
  version: typeof CONFIG_VERSION
  /** ISO 3166-1 alpha-2 code of the nation this site belongs to. */
  nation: string
  /** libp2p listen multiaddrs; default /ip4/127.0.0.1/tcp/0. */
  listen: string[]
  /** Multiaddrs (with /p2p/PEERID) of peers to dial at start. */
  bootstrap: string[]
  /** CID of the genesis FederationCharter this site trusts; every other trust decision derives from it. */
  genesisCharter: string
  /** Local HTTP API address. `metricsPublic`: serve GET /metrics without the bearer token (default false). */
  api: { host: string; port: number; metricsPublic: boolean }
  limits: SiteLimits
}

export interface Site {
  /** Absolute path of the site directory. */
  dir: string
  config: SiteConfig
  /** The site's Ed25519 key = its PeerId and record signer. */
  key: SigningKey
}

export const sitePaths = (dir: string) => ({
  config: join(dir, CONFIG_FILE),
  siteKey: join(dir, SITE_KEY_FILE),
  rootKey: join(dir, ROOT_KEY_FILE),
  apiToken: join(dir, API_TOKEN_FILE),
  store: join(dir, STORE_DIR),
})

export function defaultConfig(nation: string, genesisCharter: string): SiteConfig {
  return {
    version: CONFIG_VERSION,
    nation,
    listen: [DEFAULT_LISTEN],
    bootstrap: [],
    genesisCharter,
    api: { host: DEFAULT_API_HOST, port: DEFAULT_API_PORT, metricsPublic: false },
    limits: { ...DEFAULT_LIMITS },
  }
}

export function checkNation(nation: string): string {
  if (!NATION_CODE.test(nation)) throw new SiteError('bad_nation', `nation must be an ISO 3166-1 alpha-2 code such as CH, got '${nation}'`)
  return nation
}

/**
 * Creates the files of a new site directory (which must be absent or empty): site key, optional root key,
 * API token and config. The federation records are the caller's (initSite in init.ts).
 */
export async function createSiteDir(dir: string, config: SiteConfig, key: SigningKey, rootKey?: SigningKey): Promise<Site> {
  const abs = resolve(dir)
  await mkdir(abs, { recursive: true, mode: SAFE_MODE.dir })
  const existing = await readdir(abs)
  if (existing.length > 0) throw new SiteError('already_exists', `${abs} is not empty; refusing to create a site there`)
  await chmod(abs, SAFE_MODE.dir) // an existing empty directory, or a umask that left group bits: make it exact
  const p = sitePaths(abs)
  await writeKeyFile(p.siteKey, key)
  if (rootKey) await writeKeyFile(p.rootKey, rootKey)
  await writeSecretFile(p.apiToken, randomBytes(API_TOKEN_BYTES).toString('hex') + '\n')
  const site = { dir: abs, config, key }
  await saveConfig(site)
  return site
}

/**
 * Opens an existing site directory; a clear SiteError when it is not one, is damaged, or is unsafe: the directory or
 * config.json writable by group or others, a key file readable by them, or any of them owned by another user.
 */
export async function openSite(dir: string): Promise<Site> {
  const abs = resolve(dir)
  const p = sitePaths(abs)
  let text: string
  try {
    text = await readFile(p.config, 'utf8')
  } catch {
    throw new SiteError('not_a_site', `${abs} is not an AIP site directory (no ${CONFIG_FILE}; create one with \`aip init --dir ${dir} --nation CC\`)`)
  }
  await checkPath(abs, 'dir')
  await checkPath(p.config, 'config')
  const config = parseConfig(text, p.config)
  const key = await readKeyFile(p.siteKey)
  return { dir: abs, config, key }
}

/** Writes config.json atomically (temp file + rename). */
export async function saveConfig(site: Site): Promise<void> {
  const p = sitePaths(site.dir)
  const tmp = `${p.config}.tmp-${process.pid}`
  await writeFile(tmp, JSON.stringify(site.config, null, 2) + '\n', { mode: SAFE_MODE.config })
  await chmod(tmp, SAFE_MODE.config) // a stale temp file keeps its mode; make it exact
  await rename(tmp, p.config)
}

/** The nation root key kept in this site directory; a clear error when the site holds none. */
export async function readRootKey(site: Site): Promise<SigningKey> {
  try {
    return await readKeyFile(sitePaths(site.dir).rootKey)
  } catch (err) {
    if (err instanceof SiteError && err.code === 'missing_file') {
      throw new SiteError('missing_file', `${site.dir} holds no nation root key (${ROOT_KEY_FILE}); run this on the site that holds the root`)
    }
    throw err
  }
}

export async function readApiToken(dir: string): Promise<string> {
  const token = (await readSecretFile(sitePaths(resolve(dir)).apiToken)).trim()
  if (!/^[0-9a-f]{16,}$/.test(token)) throw new SiteError('bad_config', `${API_TOKEN_FILE} in ${dir} is damaged`)
  return token
}

function parseConfig(text: string, path: string): SiteConfig {
  let doc: unknown
  try {
    doc = JSON.parse(text)
  } catch {
    throw new SiteError('bad_config', `${path} is not valid JSON`)
  }
  const c = doc as Partial<SiteConfig>
  const bad = (what: string) => new SiteError('bad_config', `${path}: ${what}`)
  if (c === null || typeof c !== 'object') throw bad('not an object')
  if (c.version !== CONFIG_VERSION) throw bad(`unsupported version ${String(c.version)} (expected ${CONFIG_VERSION})`)
  if (typeof c.nation !== 'string' || !NATION_CODE.test(c.nation)) throw bad('nation must be an ISO 3166-1 alpha-2 code')
  if (typeof c.genesisCharter !== 'string' || c.genesisCharter.length === 0) throw bad('genesisCharter must be a CID string')
  const strings = (v: unknown) => Array.isArray(v) && v.every((s) => typeof s === 'string')
  if (!strings(c.listen)) throw bad('listen must be a list of multiaddr strings')
  if (!strings(c.bootstrap)) throw bad('bootstrap must be a list of multiaddr strings')
  const api = c.api
  if (!api || typeof api.host !== 'string' || !Number.isInteger(api.port) || api.port < 0 || api.port > 65535) {
    throw bad('api must be {host, port}')
  }
  const limits: SiteLimits = { ...DEFAULT_LIMITS }
  for (const [k, v] of Object.entries(c.limits ?? {})) {
    if (!Number.isSafeInteger(v) || v < 0) throw bad(`limits.${k} must be a non-negative integer`)
    limits[k] = v
  }
  // Fields this version does not know (added by other subsystems or a newer aip) are kept, so saveConfig keeps them.
  return {
    ...(c as object),
    version: CONFIG_VERSION, nation: c.nation, listen: c.listen!, bootstrap: c.bootstrap!, genesisCharter: c.genesisCharter,
    api: { ...api, host: api.host, port: api.port, metricsPublic: api.metricsPublic === true }, limits,
  }
}
