/**
 * Offline verification of a log (specs/audit-v1.md §4.3, §7): from a directory or URL of tiles and a signed
 * checkpoint, check the log's signature and the witnesses' cosignatures against given verifier keys, the whole tree
 * (every bundle against its level-0 tile, every tile against the level below, the root against the checkpoint),
 * inclusion of chosen entries and consistency with an older checkpoint. Tiles are fetched in parallel and hashed as
 * they arrive; no per-entry round trip.
 */
import { mkdir, readFile, writeFile } from 'node:fs/promises'
import { dirname, join } from 'node:path'
import {
  AuditError, bundlesOfTree, decodeBundle, formatNote, leafHash, LogVerifier, parseCheckpoint, parseNote, parseVerifierKey, rangeHash, rootFromConsistencyProof,
  consistencyProof, inclusionPath, tilePath, tilesOfTree, tileSubtrees, verifyInclusionProof, verifyNote, SIG_TYPE_COSIGNATURE_V1, TILE_WIDTH, HASH_BYTES,
} from '../../protocol/index.ts'
import type { Checkpoint, TileId } from '../../protocol/index.ts'
import type { SiteAudit } from './site-audit.ts'

/** Where tiles come from: `get('tile/0/000')` → bytes or undefined. */
export interface TileSource {
  get(path: string): Promise<Uint8Array | undefined>
}

export function dirSource(dir: string): TileSource {
  return {
    async get(path) {
      try {
        return new Uint8Array(await readFile(join(dir, path)))
      } catch (err) {
        if ((err as { code?: string }).code === 'ENOENT') return undefined
        throw err
      }
    },
  }
}

export function urlSource(prefix: string, token?: string): TileSource {
  const base = prefix.endsWith('/') ? prefix : prefix + '/'
  return {
    async get(path) {
      const res = await fetch(base + path, { headers: token === undefined ? {} : { authorization: `Bearer ${token}` } })
      if (res.status === 404) return undefined
      if (!res.ok) throw new Error(`GET ${base + path}: ${res.status}`)
      return new Uint8Array(await res.arrayBuffer())
    },
  }
}

export interface VerifyOptions {
  /** The signed checkpoint (note text) to verify against. */
  checkpoint: string
  /** The log's verifier key. */
  logKey: string
  /** Witness verifier keys (type 0x04) and the nation each belongs to, for the quorum. */
  witnesses?: { vkey: string; nation: string }[]
  /** audit-v1 §7.1: cosignatures from this many nations other than the log's make it witnessed. */
  quorum?: number
  /** Check every tile and entry (default true). */
  full?: boolean
  /** Entries whose inclusion to prove. */
  entries?: number[]
  /** An older signed checkpoint of the same log to prove consistency with. */
  older?: string
  /** Parallel fetches. */
  concurrency?: number
}

export interface VerifyReport {
  origin: string
  size: number
  root: string
  signature: 'ok'
  cosigners: string[]
  witnessed: boolean | null
  entriesVerified: number
  inclusion: { index: number; leafHash: string }[]
  consistentWith?: { size: number; root: string }
}

export class VerifyError extends Error {
  constructor(readonly code: string, message: string) {
    super(message)
    this.name = 'VerifyError'
  }
}

async function fetchTile(src: TileSource, t: TileId): Promise<Uint8Array> {
  const b = await src.get(tilePath(t))
  if (b === undefined) throw new VerifyError('missing_tile', `${tilePath(t)} is not available`)
  return b
}

/** Runs `fn` over items with at most `n` in flight, in order of results. */
async function* ordered<T, R>(items: T[], n: number, fn: (t: T) => Promise<R>): AsyncGenerator<R> {
  const inflight: Promise<R>[] = []
  let i = 0
  while (i < items.length || inflight.length > 0) {
    while (i < items.length && inflight.length < n) inflight.push(fn(items[i++]!))
    yield await inflight.shift()!
  }
}

export async function verifyLog(src: TileSource, o: VerifyOptions): Promise<VerifyReport> {
  const n = o.concurrency ?? 16
  const logKey = parseVerifierKey(o.logKey)
  const note = parseNote(o.checkpoint)
  const wit = (o.witnesses ?? []).map((w) => ({ ...w, v: parseVerifierKey(w.vkey) }))
  for (const w of wit) if (w.v.type !== SIG_TYPE_COSIGNATURE_V1) throw new VerifyError('bad_witness_key', `${w.v.name} is not a cosignature/v1 key`)
  const verified = verifyNote(note, [logKey, ...wit.map((w) => w.v)])
  if (!verified.includes(logKey)) throw new VerifyError('unsigned', 'the checkpoint is not signed by the log key')
  const cp = parseCheckpoint(note.text)
  if (cp.origin !== logKey.name) throw new VerifyError('origin_mismatch', `the checkpoint is of ${cp.origin}, the key of ${logKey.name}`)
  const cosigners = wit.filter((w) => verified.includes(w.v))
  const logNation = cp.origin.split('/')[1]
  const nations = new Set(cosigners.map((w) => w.nation).filter((x) => x !== logNation))
  const report: VerifyReport = {
    origin: cp.origin, size: cp.size, root: Buffer.from(cp.root).toString('base64'), signature: 'ok',
    cosigners: cosigners.map((w) => w.v.name), witnessed: o.quorum === undefined ? null : nations.size >= o.quorum, entriesVerified: 0, inclusion: [],
  }
  const tiles = new Map<string, Uint8Array>()
  const sub = tileSubtrees((level, index) => tiles.get(`${level}/${index}`))
  if (o.full ?? true) {
    const v = new LogVerifier(cp.size)
    const bundles = bundlesOfTree(cp.size)
    for await (const [b, bundle, tile] of ordered(bundles, n, async (b) => [b, await fetchTile(src, b), await fetchTile(src, { level: 0, index: b.index, width: b.width })] as const)) {
      v.addBundle(b.index, bundle, tile)
      if (tile.length < TILE_WIDTH * HASH_BYTES || o.entries?.some((e) => Math.floor(e / TILE_WIDTH) === b.index)) tiles.set(`0/${b.index}`, tile)
    }
    const upper = tilesOfTree(cp.size).filter((t) => t.level !== 0)
    for await (const [t, bytes] of ordered(upper, n, async (t) => [t, await fetchTile(src, t)] as const)) {
      v.addTile(t.level as number, t.index, bytes)
      tiles.set(`${t.level}/${t.index}`, bytes)
    }
    const root = v.root()
    if (!Buffer.from(root).equals(Buffer.from(cp.root))) throw new VerifyError('root_mismatch', 'the entries do not hash to the checkpoint root')
    report.entriesVerified = v.count
  } else {
    for (const t of tilesOfTree(cp.size)) if (t.level !== 0) tiles.set(`${t.level}/${t.index}`, await fetchTile(src, t))
    if (!Buffer.from(rangeHash(sub, 0, cp.size)).equals(Buffer.from(cp.root))) throw new VerifyError('root_mismatch', 'the tiles do not hash to the checkpoint root')
  }
  const level0 = async (i: number) => {
    const t = tilesOfTree(cp.size).find((x) => x.level === 0 && x.index === Math.floor(i / TILE_WIDTH))!
    if (!tiles.has(`0/${t.index}`)) tiles.set(`0/${t.index}`, await fetchTile(src, t))
  }
  for (const i of o.entries ?? []) {
    if (!(Number.isSafeInteger(i) && i >= 0 && i < cp.size)) throw new VerifyError('bad_index', `entry ${i} is not in a log of ${cp.size}`)
    await level0(i)
    // the entry itself, from its bundle, hashed: inclusion of the bytes, not only of a hash the tiles hold
    const b = bundlesOfTree(cp.size)[Math.floor(i / TILE_WIDTH)]!
    const entry = decodeBundle(await fetchTile(src, b), b.width)[i % TILE_WIDTH]!
    const lh = leafHash(entry)
    verifyInclusionProof(lh, i, cp.size, inclusionPath(sub, i, cp.size), cp.root)
    report.inclusion.push({ index: i, leafHash: Buffer.from(lh).toString('hex') })
  }
  if (o.older !== undefined) {
    const oldNote = parseNote(o.older)
    verifyNote({ text: oldNote.text, signatures: oldNote.signatures.filter((s) => s.name === logKey.name) }, [logKey])
    const old = parseCheckpoint(oldNote.text)
    if (old.origin !== cp.origin) throw new VerifyError('origin_mismatch', 'the older checkpoint is of another log')
    if (old.size > cp.size) throw new VerifyError('bad_size', 'the older checkpoint is larger')
    if (old.size > 0) {
      for (const i of [old.size - 1, old.size]) if (i < cp.size) await level0(i)
      const root = rootFromConsistencyProof(old.size, cp.size, consistencyProof(sub, old.size, cp.size), old.root)
      if (!Buffer.from(root).equals(Buffer.from(cp.root))) throw new VerifyError('inconsistent', `the checkpoint of size ${old.size} is not a prefix`)
    }
    report.consistentWith = { size: old.size, root: Buffer.from(old.root).toString('base64') }
  }
  return report
}

/** Writes the tiles, bundles and checkpoint of the log's latest checkpoint under `dir` (tlog-tiles paths). */
export async function exportTiles(audit: SiteAudit, dir: string): Promise<Checkpoint> {
  const note = await audit.latest() ?? await audit.checkpoint()
  const cp = parseCheckpoint(note.text)
  const write = async (path: string, bytes: Uint8Array) => {
    await mkdir(dirname(join(dir, path)), { recursive: true })
    await writeFile(join(dir, path), bytes)
  }
  for (const t of [...bundlesOfTree(cp.size), ...tilesOfTree(cp.size)]) {
    const bytes = t.level === 'entries' ? await audit.log.bundle(t.index, t.width) : await audit.log.tileOfWidth(t.level, t.index, t.width)
    if (bytes === undefined) throw new AuditError('bad_tile', `${tilePath(t)} is missing from the log`)
    await write(tilePath(t), bytes)
  }
  await write('checkpoint', Buffer.from(formatNote(note)))
  return cp
}

