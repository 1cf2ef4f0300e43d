/**
 * Key files of a site directory: an Ed25519 seed stored as JSON with mode 0600.
 *
 *   { "kty": "Ed25519", "seed": "<64 hex>", "public": "<64 hex>" }
 *
 * `public` is redundant (derived from the seed) and checked on load, so a damaged file is detected before the key
 * signs anything. A key file readable by group or others is refused, as ssh does.
 */
import { randomBytes } from 'node:crypto'
import { readFile, writeFile, chmod } from 'node:fs/promises'
import { checkPath } from './permissions.ts'
import { generateKeyPairFromSeed } from '@libp2p/crypto/keys'
import type { SigningKey } from './signing-key.ts'
import { SECRET_FILE_MODE } from './constants.ts'
import { SiteError } from './errors.ts'

/** Ed25519 seed length in bytes (RFC 8032 §5.1.5). */
export const SEED_BYTES = 32

export async function keyFromSeed(seed: Uint8Array): Promise<SigningKey> {
  if (seed.length !== SEED_BYTES) throw new SiteError('bad_key_file', `an Ed25519 seed is ${SEED_BYTES} bytes, got ${seed.length}`)
  const priv = await generateKeyPairFromSeed('Ed25519', seed)
  return { publicKey: priv.publicKey.raw, secretKey: Uint8Array.from(seed) }
}

export async function newKey(): Promise<SigningKey> {
  return keyFromSeed(randomBytes(SEED_BYTES))
}

/** Writes a secret file that must not exist yet, mode 0600 from creation on. */
export async function writeSecretFile(path: string, text: string): Promise<void> {
  await writeFile(path, text, { mode: SECRET_FILE_MODE, flag: 'wx' })
  await chmod(path, SECRET_FILE_MODE) // the umask can only remove bits; chmod makes the mode exact
}

/** Reads a secret file, refusing one that group or others can read or write, or that another user owns. */
export async function readSecretFile(path: string): Promise<string> {
  await checkPath(path, 'secret')
  return readFile(path, 'utf8')
}

export async function writeKeyFile(path: string, key: SigningKey): Promise<void> {
  const doc = { kty: 'Ed25519', seed: Buffer.from(key.secretKey).toString('hex'), public: Buffer.from(key.publicKey).toString('hex') }
  await writeSecretFile(path, JSON.stringify(doc, null, 2) + '\n')
}

export async function readKeyFile(path: string): Promise<SigningKey> {
  const text = await readSecretFile(path)
  let doc: unknown
  try {
    doc = JSON.parse(text)
  } catch {
    throw new SiteError('bad_key_file', `${path} is not JSON`)
  }
  const d = doc as { kty?: unknown; seed?: unknown; public?: unknown }
  if (d.kty !== 'Ed25519' || typeof d.seed !== 'string' || !/^[0-9a-f]{64}$/.test(d.seed) || typeof d.public !== 'string') {
    throw new SiteError('bad_key_file', `${path} is not an Ed25519 key file ({kty, seed, public})`)
  }
  const key = await keyFromSeed(Buffer.from(d.seed, 'hex'))
  if (Buffer.from(key.publicKey).toString('hex') !== d.public) {
    throw new SiteError('bad_key_file', `${path}: the public key does not match the seed (damaged file?)`)
  }
  return key
}
