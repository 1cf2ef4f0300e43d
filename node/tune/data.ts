/**
 * Tuning data (specs/tune-v1.md T3–T4, E1–E2): the datum of an approved bundle item (content = deterministic CBOR of
 * {prompt, answer, ? context}, hash = SHA-256 of it), the example it trains, and the site's datum store — each
 * content encrypted at rest under its own AES-256-GCM key, the key destroyed by `forget`.
 */
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto'
import { existsSync } from 'node:fs'
import { mkdir, open, readFile, unlink, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { decodeCanonical, encodeCanonical, isMap } from '../../protocol/index.ts'
import type { AlignmentItem, CborMap, CborValue } from '../../protocol/index.ts'
import type { Example } from '../../kernels/index.ts'
import { toExample } from '../train/corpus.ts'
import { DATUM_KEY_BYTES, DATUM_NONCE_BYTES, DATUM_TAG_BYTES, TUNE_MAX_DATUM_BYTES, TUNE_MAX_EXAMPLE_TOKENS } from './constants.ts'
import { TuneError } from './errors.ts'
import { hex, sha256 } from './ledger.ts'
import { writeFileSynced } from '../site/synced-file.ts'

export interface Datum {
  bundle: string // AlignmentBundle ID
  item: string // item id
  sha256: Uint8Array
  content: Uint8Array
}

/** T3–T4: the content of an item (refusal exemplar: its response; preference: its chosen answer). */
export function datumContent(kind: string, item: AlignmentItem): Uint8Array {
  const answer = kind === 'refusal-exemplar' ? item.response : kind === 'preference' ? item.chosen : undefined
  if (answer === undefined) throw new TuneError('TUNE_BUNDLE_KIND', `a ${kind} item has no answer to train on (only refusal-exemplar and preference bundles)`)
  const m: CborMap = { prompt: item.prompt, answer }
  if (item.context !== undefined) m.context = item.context.map((t) => ({ role: t.role, content: t.content }))
  const bytes = encodeCanonical(m)
  if (bytes.length > TUNE_MAX_DATUM_BYTES) throw new TuneError('TUNE_DATUM_TOO_LONG', `item ${item.id}: ${bytes.length} bytes of content exceed ${TUNE_MAX_DATUM_BYTES}`)
  return bytes
}

/** T3: the training example of a datum's content (the suite's prompt template, loss on the answer and EOS). */
export function exampleOf(content: Uint8Array, label: string): Example {
  let m: CborValue
  try {
    m = decodeCanonical(content, { maxBytes: TUNE_MAX_DATUM_BYTES })
  } catch (err) {
    throw new TuneError('TUNE_DATUM_MISMATCH', `${label}: content does not decode (${(err as Error).message})`)
  }
  if (!isMap(m) || typeof m.prompt !== 'string' || typeof m.answer !== 'string') throw new TuneError('TUNE_DATUM_MISMATCH', `${label}: content is not {prompt, answer}`)
  const e = toExample({ kind: 'benign', language: '', prompt: m.prompt, answer: m.answer })
  if (e.tokens.length > TUNE_MAX_EXAMPLE_TOKENS) throw new TuneError('TUNE_DATUM_TOO_LONG', `${label}: ${e.tokens.length} tokens exceed ${TUNE_MAX_EXAMPLE_TOKENS}`)
  return e
}


/** E1–E2: DIR/tune/{data,keys,erased}/HASH. */
export class DatumStore {
  constructor(readonly dir: string) {}

  private path(kind: 'data' | 'keys' | 'erased', h: Uint8Array): string {
    return join(this.dir, kind, `${hex(h)}${kind === 'data' ? '.enc' : kind === 'keys' ? '.key' : ''}`)
  }

  isErased(h: Uint8Array): boolean {
    return existsSync(this.path('erased', h))
  }

  has(h: Uint8Array): boolean {
    return existsSync(this.path('keys', h)) && existsSync(this.path('data', h))
  }

  /** Stores a datum's content under a fresh key (once per hash). */
  async put(h: Uint8Array, content: Uint8Array): Promise<void> {
    if (this.has(h) || this.isErased(h)) return
    for (const d of ['data', 'keys']) await mkdir(join(this.dir, d), { recursive: true, mode: 0o700 })
    const key = randomBytes(DATUM_KEY_BYTES), nonce = randomBytes(DATUM_NONCE_BYTES)
    const c = createCipheriv('aes-256-gcm', key, nonce, { authTagLength: DATUM_TAG_BYTES })
    c.setAAD(h)
    const sealed = Buffer.concat([nonce, c.update(content), c.final(), c.getAuthTag()])
    await writeFileSynced(this.path('keys', h), key)
    await writeFileSynced(this.path('data', h), sealed)
  }

  /** The content of a datum (checked against its hash), or undefined when the store never held it. */
  async get(h: Uint8Array): Promise<Uint8Array | undefined> {
    if (this.isErased(h)) throw new TuneError('TUNE_DATUM_ERASED', `datum ${hex(h)} was erased (its key is destroyed)`)
    if (!this.has(h)) return undefined
    const key = await readFile(this.path('keys', h)), sealed = await readFile(this.path('data', h))
    let content: Uint8Array
    try {
      if (key.length !== DATUM_KEY_BYTES || sealed.length < DATUM_NONCE_BYTES + DATUM_TAG_BYTES) throw new Error('truncated')
      const d = createDecipheriv('aes-256-gcm', key, sealed.subarray(0, DATUM_NONCE_BYTES), { authTagLength: DATUM_TAG_BYTES })
      d.setAAD(h)
      d.setAuthTag(sealed.subarray(sealed.length - DATUM_TAG_BYTES))
      content = new Uint8Array(Buffer.concat([d.update(sealed.subarray(DATUM_NONCE_BYTES, sealed.length - DATUM_TAG_BYTES)), d.final()]))
    } catch (err) {
      throw new TuneError('TUNE_DATUM_MISMATCH', `datum ${hex(h)}: the stored ciphertext does not authenticate (${(err as Error).message})`)
    }
    if (Buffer.compare(sha256(content), h) !== 0) throw new TuneError('TUNE_DATUM_MISMATCH', `datum ${hex(h)}: content does not hash to its name`)
    return content
  }

  /** E2: overwrites the key with zeros, syncs, unlinks it and the ciphertext, and leaves a tombstone. Returns whether a key existed. */
  async forget(h: Uint8Array): Promise<boolean> {
    const keyPath = this.path('keys', h)
    const had = existsSync(keyPath)
    if (had) {
      const fh = await open(keyPath, 'r+')
      try {
        await fh.write(new Uint8Array(DATUM_KEY_BYTES), 0, DATUM_KEY_BYTES, 0)
        await fh.sync()
      } finally {
        await fh.close()
      }
      await unlink(keyPath)
    }
    await unlink(this.path('data', h)).catch(() => undefined)
    await mkdir(join(this.dir, 'erased'), { recursive: true, mode: 0o700 })
    await writeFile(this.path('erased', h), '')
    return had
  }
}
