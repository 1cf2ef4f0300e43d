/**
 * One site's append-only audit log (specs/audit-v1.md): entries and full tiles in a level database of its own
 * (DIR/audit), the right edge of the tree in memory. Appends are group-committed — appends that arrive while a batch
 * is written form the next batch, and each batch (entries, the full tiles they complete, content, the new size) is
 * one level batch written with `{ sync: true }` — so `append()` resolves once the entry is durable, and after a crash
 * the tree on disk is a prefix of the one before it.
 *
 *   const log = await AuditLog.open(join(dir, 'audit'))
 *   const index = await log.append(entry)
 *   const proof = await log.inclusionProof(index, log.size)
 */
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto'
import { Level } from 'level'
import { consistencyProof, encodeBundle, encodeEntry, HASH_BYTES, inclusionPath, leafHash, rangeHash, tileOf, tileRoot, TILE_WIDTH, tileSubtrees } from '../../protocol/index.ts'
import type { AuditEntry } from '../../protocol/index.ts'
import { LOG_DB_CACHE_BYTES, LOG_DB_WRITE_BUFFER_BYTES, MAX_APPEND_QUEUE, MAX_CONTENT_BYTES, TILE_CACHE_SIZE } from './constants.ts'

export class AuditLogError extends Error {
  constructor(readonly code: 'log_locked' | 'log_open_failed' | 'log_closed' | 'log_failed' | 'bad_range' | 'content_too_large', message: string, options?: { cause?: unknown }) {
    super(message, options)
    this.name = 'AuditLogError'
  }
}

/** Prompt and output of one inference, captured when the operator opts in (audit-v1 §6). */
export interface CapturedContent {
  prompt: string
  output: string
}

interface Pending {
  data: Uint8Array
  time: number
  content?: CapturedContent
  done: (index: number) => void
  fail: (e: unknown) => void
}

const SIZE_KEY = 'm:size'
const idx = (n: number) => n.toString(16).padStart(14, '0')
const entryKey = (i: number) => 'e' + idx(i)
const tileKey = (level: number, index: number) => 't' + level.toString(16).padStart(2, '0') + idx(index)
const contentKey = (i: number) => 'c' + idx(i)

export class AuditLog {
  /** Durable entries. */
  private n: number
  /** edge[L]: a 256-hash buffer holding the right-most incomplete tile at level L (width floor(n / 256^L) mod 256). */
  private edge: Uint8Array[] = []
  private queue: Pending[] = []
  private writing: Promise<void> | undefined
  private failed: unknown
  private closed = false
  private cache = new Map<string, Uint8Array>()
  /** Called after each synced batch with its number of entries and its duration (s). */
  onBatch: ((entries: number, seconds: number) => void) | undefined

  private constructor(private readonly db: Level<string, Uint8Array>, size: number, readonly location: string, private readonly contentKey?: Uint8Array) {
    this.n = size
  }

  /**
   * Opens (creating) the log at `location`. `contentKey` (32 bytes) enables content capture (audit-v1 §6).
   * Fails with 'log_locked' when another process holds it.
   */
  static async open(location: string, opts: { contentKey?: Uint8Array } = {}): Promise<AuditLog> {
    const db = new Level<string, Uint8Array>(location, { keyEncoding: 'utf8', valueEncoding: 'view', cacheSize: LOG_DB_CACHE_BYTES, writeBufferSize: LOG_DB_WRITE_BUFFER_BYTES })
    try {
      await db.open()
    } catch (err) {
      const e = err as { code?: string; cause?: { code?: string } }
      if (e.code === 'LEVEL_LOCKED' || e.cause?.code === 'LEVEL_LOCKED') throw new AuditLogError('log_locked', `the audit log ${location} is locked by another process (is \`aip start\` running?)`, { cause: err })
      throw new AuditLogError('log_open_failed', `cannot open the audit log ${location}: ${(err as Error).message}`, { cause: err })
    }
    const raw = await db.get(SIZE_KEY)
    const size = raw === undefined ? 0 : Number(Buffer.from(raw).readBigUInt64BE())
    const log = new AuditLog(db, size, location, opts.contentKey)
    await log.rebuildEdge()
    return log
  }

  /** Number of durable entries: the current tree size. */
  get size(): number {
    return this.n
  }

  /** Appends one entry (encoded and checked here); resolves with its index once it is on disk. */
  append(entry: AuditEntry, content?: CapturedContent): Promise<number> {
    return this.appendEncoded(encodeEntry(entry), entry.time, content)
  }

  /** Appends already-encoded leaf data (callers that checked it with parseEntry). */
  appendEncoded(data: Uint8Array, time: number, content?: CapturedContent): Promise<number> {
    if (this.closed) return Promise.reject(new AuditLogError('log_closed', 'the audit log is closed'))
    if (this.failed !== undefined) return Promise.reject(new AuditLogError('log_failed', 'an earlier write failed; reopen the log', { cause: this.failed }))
    if (content !== undefined && Buffer.byteLength(content.prompt) + Buffer.byteLength(content.output) > MAX_CONTENT_BYTES) {
      return Promise.reject(new AuditLogError('content_too_large', `captured content is at most ${MAX_CONTENT_BYTES} bytes`))
    }
    const p = new Promise<number>((done, fail) => this.queue.push({ data, time, content: this.contentKey === undefined ? undefined : content, done, fail }))
    this.writing ??= this.drain()
    if (this.queue.length > MAX_APPEND_QUEUE) return this.writing.then(() => p)
    return p
  }

  private async drain(): Promise<void> {
    await Promise.resolve() // appends made in the same turn join the first batch
    while (this.queue.length > 0) {
      const batch = this.queue
      this.queue = []
      const t0 = performance.now()
      try {
        await this.commit(batch)
      } catch (err) {
        this.failed = err
        for (const p of [...batch, ...this.queue]) p.fail(err)
        this.queue = []
        break
      }
      this.onBatch?.(batch.length, (performance.now() - t0) / 1000)
    }
    this.writing = undefined
  }

  private async commit(batch: Pending[]): Promise<void> {
    const ops: { type: 'put'; key: string; value: Uint8Array }[] = []
    // Working edge: the same buffers as this.edge (bytes past the durable width are free to write), a new buffer
    // where a tile completes — so readers of this.edge see the durable prefix unchanged until the batch is on disk.
    const edge = [...this.edge]
    let n = this.n
    for (const p of batch) {
      ops.push({ type: 'put', key: entryKey(n), value: p.data })
      if (p.content !== undefined) ops.push({ type: 'put', key: contentKey(n), value: this.seal(n, p.time, p.content) })
      let hash = leafHash(p.data)
      let at = n
      for (let level = 0; ; level++) {
        const buf = edge[level] ??= new Uint8Array(TILE_WIDTH * HASH_BYTES)
        const pos = at % TILE_WIDTH
        buf.set(hash, pos * HASH_BYTES)
        if (pos < TILE_WIDTH - 1) break
        const tileIndex = Math.floor(at / TILE_WIDTH)
        ops.push({ type: 'put', key: tileKey(level, tileIndex), value: buf })
        edge[level] = new Uint8Array(TILE_WIDTH * HASH_BYTES)
        hash = tileRoot(buf)
        at = tileIndex
      }
      n++
    }
    const size = Buffer.alloc(8)
    size.writeBigUInt64BE(BigInt(n))
    ops.push({ type: 'put', key: SIZE_KEY, value: size })
    // A chained batch: the same single atomic, synced write as db.batch(ops), without the array form's per-operation
    // cloning and checks (an entry per stored record rides here: the gossip hot path).
    const chained = this.db.batch()
    for (const op of ops) chained.put(op.key, op.value)
    await chained.write({ sync: true }) // closes the batch on success and on failure
    this.edge = edge
    const first = this.n
    this.n = n
    batch.forEach((p, i) => p.done(first + i))
  }

  /** Rebuilds the right edge (partial tiles) from disk after open. */
  private async rebuildEdge(): Promise<void> {
    this.edge = []
    for (let level = 0; TILE_WIDTH ** level <= this.n; level++) {
      const width = Math.floor(this.n / TILE_WIDTH ** level) % TILE_WIDTH
      const tileIndex = Math.floor(this.n / TILE_WIDTH ** (level + 1))
      const hashes: Uint8Array[] = []
      for (let i = 0; i < width; i++) {
        const at = tileIndex * TILE_WIDTH + i
        if (level === 0) {
          const e = await this.db.get(entryKey(at))
          if (e === undefined) throw new AuditLogError('log_open_failed', `entry ${at} is missing`)
          hashes.push(leafHash(e))
        } else {
          const t = await this.db.get(tileKey(level - 1, at))
          if (t === undefined) throw new AuditLogError('log_open_failed', `tile ${level - 1}/${at} is missing`)
          hashes.push(tileRoot(t))
        }
      }
      const buf = new Uint8Array(TILE_WIDTH * HASH_BYTES)
      hashes.forEach((h, i) => buf.set(h, i * HASH_BYTES))
      this.edge[level] = buf
    }
  }

  /** The hashes of tile (level, index) in the current tree: a full tile, or the current partial one (undefined if neither). */
  async tile(level: number, index: number): Promise<Uint8Array | undefined> {
    const fullTiles = Math.floor(this.n / TILE_WIDTH ** (level + 1))
    if (index < fullTiles) {
      const k = tileKey(level, index)
      let t = this.cache.get(k)
      if (t === undefined) {
        t = await this.db.get(k)
        if (t === undefined) return undefined
        if (this.cache.size >= TILE_CACHE_SIZE) this.cache.delete(this.cache.keys().next().value!)
        this.cache.set(k, t)
      }
      return t
    }
    const width = Math.floor(this.n / TILE_WIDTH ** level) % TILE_WIDTH
    if (index === fullTiles && width > 0) return this.edge[level]!.subarray(0, width * HASH_BYTES)
    return undefined
  }

  /** tlog-tiles `tile/<L>/<N>[.p/<W>]`: the first `width` hashes of that tile, or undefined if the tree is smaller. */
  async tileOfWidth(level: number, index: number, width: number): Promise<Uint8Array | undefined> {
    const t = await this.tile(level, index)
    if (t === undefined || t.length < width * HASH_BYTES) return undefined
    return t.subarray(0, width * HASH_BYTES)
  }

  /** Entries [from, to) as stored (leaf data). */
  async entries(from: number, to: number): Promise<Uint8Array[]> {
    if (!(Number.isSafeInteger(from) && Number.isSafeInteger(to) && 0 <= from && from <= to && to <= this.n)) throw new AuditLogError('bad_range', `no entries [${from}, ${to}) in a log of ${this.n}`)
    const out: Uint8Array[] = []
    for await (const v of this.db.values({ gte: entryKey(from), lt: entryKey(to) })) out.push(v)
    return out
  }

  /** tlog-tiles `tile/entries/<N>[.p/<W>]`, or undefined if the log holds fewer entries. */
  async bundle(index: number, width: number): Promise<Uint8Array | undefined> {
    const from = index * TILE_WIDTH
    if (from + width > this.n) return undefined
    return encodeBundle(await this.entries(from, from + width))
  }

  /** Runs `fn` over subtree hashes read from tiles: first to learn which tiles it reads, then with them loaded. */
  private async withTiles<T>(fn: (sub: (lo: number, hi: number) => Uint8Array) => T): Promise<T> {
    const needed = new Map<string, [number, number]>()
    const zero = new Uint8Array(HASH_BYTES)
    fn((lo, hi) => { const t = tileOf(lo, hi); needed.set(`${t.level}/${t.index}`, [t.level, t.index]); return zero })
    const loaded = new Map<string, Uint8Array>()
    for (const [k, [level, index]] of needed) {
      const t = await this.tile(level, index)
      if (t !== undefined) loaded.set(k, t)
    }
    return fn(tileSubtrees((level, index) => loaded.get(`${level}/${index}`)))
  }

  /** RFC 9162 root of the tree of `size` ≤ the current size. */
  root(size = this.n): Promise<Uint8Array> {
    this.checkSize(size)
    return this.withTiles((sub) => rangeHash(sub, 0, size))
  }

  inclusionProof(index: number, size = this.n): Promise<Uint8Array[]> {
    this.checkSize(size)
    return this.withTiles((sub) => inclusionPath(sub, index, size))
  }

  consistencyProof(m: number, n = this.n): Promise<Uint8Array[]> {
    this.checkSize(n)
    if (!(Number.isSafeInteger(m) && m >= 0 && m <= n)) throw new AuditLogError('bad_range', `no consistency proof from ${m} to ${n}`)
    return this.withTiles((sub) => consistencyProof(sub, m, n))
  }

  private checkSize(size: number): void {
    if (!(Number.isSafeInteger(size) && size >= 0 && size <= this.n)) throw new AuditLogError('bad_range', `size ${size} is not in 0..${this.n}`)
  }

  /** Reads a small value of the log's own metadata (checkpoints, witness state). */
  async getMeta(key: string): Promise<Uint8Array | undefined> {
    return this.db.get('x:' + key)
  }

  async putMeta(key: string, value: Uint8Array): Promise<void> {
    await this.db.put('x:' + key, value, { sync: true })
  }

  async *metaEntries(prefix: string): AsyncIterable<[string, Uint8Array]> {
    for await (const [k, v] of this.db.iterator({ gte: 'x:' + prefix, lt: 'x:' + prefix + '\uffff' })) yield [k.slice(2), v]
  }

  /** The captured content of entry `index`, decrypted, or undefined (never captured, pruned or erased). */
  async content(index: number): Promise<CapturedContent | undefined> {
    if (this.contentKey === undefined) return undefined
    const v = await this.db.get(contentKey(index))
    if (v === undefined) return undefined
    const d = createDecipheriv('aes-256-gcm', this.contentKey, v.subarray(8, 20))
    d.setAAD(indexBytes(index))
    d.setAuthTag(v.subarray(v.length - 16))
    return JSON.parse(Buffer.concat([d.update(v.subarray(20, v.length - 16)), d.final()]).toString('utf8')) as CapturedContent
  }

  /** audit-v1 §6: deletes captured content older than `before` (ms), never entries or tiles. Returns how many. */
  async pruneContent(before: number): Promise<number> {
    const dels: { type: 'del'; key: string }[] = []
    for await (const [k, v] of this.db.iterator({ gte: 'c', lt: 'd' })) {
      if (Number(Buffer.from(v.buffer, v.byteOffset, 8).readBigUInt64BE()) < before) dels.push({ type: 'del', key: k })
    }
    if (dels.length > 0) await this.db.batch(dels, { sync: true })
    return dels.length
  }

  /** Erases one entry's captured content (a data subject's request); the entry and the tree are unchanged. */
  async eraseContent(index: number): Promise<boolean> {
    const had = (await this.db.get(contentKey(index))) !== undefined
    if (had) await this.db.del(contentKey(index), { sync: true })
    return had
  }

  private seal(index: number, time: number, content: CapturedContent): Uint8Array {
    const nonce = randomBytes(12)
    const c = createCipheriv('aes-256-gcm', this.contentKey!, nonce)
    c.setAAD(indexBytes(index))
    const ct = Buffer.concat([c.update(JSON.stringify(content), 'utf8'), c.final()])
    const t = Buffer.alloc(8)
    t.writeBigUInt64BE(BigInt(time))
    return Buffer.concat([t, nonce, ct, c.getAuthTag()])
  }

  /** Waits for queued appends, then closes the database. */
  async close(): Promise<void> {
    if (this.closed) return
    this.closed = true
    await this.writing
    await this.db.close()
  }
}

function indexBytes(i: number): Buffer {
  const b = Buffer.alloc(8)
  b.writeBigUInt64BE(BigInt(i))
  return b
}
