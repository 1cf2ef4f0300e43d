/**
 * The record store: level on disk in DIR/store (issue 4 §Storage). Records by ID; indexes by type, signer, suite and
 * model (layout in keys.ts); tombstones for retracted or erased records.
 *
 * Durability and crash consistency: every write goes through one queue. Writes that arrive while a batch is being
 * written are collected into the next batch (group commit), and each batch — records, meta, every index entry — is
 * one level batch written with `{ sync: true }`. So when `put` resolves the record is on disk, and after a SIGKILL
 * a record and its index entries exist together or not at all (test/node/store/crash.test.ts).
 *
 * The put path reads nothing for a record the store has never seen: an in-memory filter of the IDs it holds (records
 * and tombstones, held.ts) says so for certain; only an ID it may hold is read (duplicate, tombstoned) before the
 * batch is built. Each record's entries are built in one reused buffer and added straight to a native batch.
 *
 * Layout (keys.ts): format 4 since issue 17 — the record and its binary meta in one entry keyed by its digest, compact
 * binary index keys, no signer index. A store of format 1, 2 or 3 is migrated on open (migrate.ts: resumable synced
 * batches); a store of an unknown (newer) format is refused with 'store_format'.
 */
import { Level } from 'level'
import { CID } from 'multiformats/cid'
import { FEDERATION_RECORD_TYPES as REGISTRY_FEDERATION_TYPES, isFederationType, isRecordCid, recordDigest, recordId, recordIdOfDigest, specOf } from '../../protocol/index.ts'
import type { IndexKey } from '../../protocol/index.ts'
import type { RecordMeta, IndexName } from './keys.ts'
import { FORMAT_KEY, INDEX, RECORD, STORE_FORMAT, TOMBSTONE, bucket, digestKey, digestOfIndexKey, envelopeOf, indexBuckets, indexKeys, metaOfValue, positionKey, prefixEnd, readCreated, recordValueLength, writePositionKey, writeRecordValue } from './keys.ts'
import { HeldFilter } from './held.ts'
import { migrate } from './migrate.ts'

/** What the store needs of a record; the record layer's DecodedRecord satisfies it. */
export interface StorableRecord {
  id: string
  bytes: Uint8Array
  type: string
  signer: Uint8Array
  created: number
  body: unknown
}

export type PutResult = 'stored' | 'duplicate' | 'tombstoned'

/**
 * aip-v1 §4.5, §5: the federation records — charters, approvals, certificates, revocations (the record registry's
 * 'federation' family). A tombstone never withdraws one, nor blocks its put: they are the trust state's input, and a
 * Retraction has no effect on them.
 */
export const FEDERATION_RECORD_TYPES: ReadonlySet<string> = REGISTRY_FEDERATION_TYPES

/** A tombstone to write in the same batch as a record (a Retraction's target, the records a Revocation withdraws). */
export interface TombstoneSpec {
  id: string
  reason: string
  /** Withdraw only a record by this signer (and block only its put). */
  signer: Uint8Array
}

/** What `putWith` did: the record's result and the IDs its tombstones withdrew from the store. */
export interface PutWithResult {
  result: PutResult
  withdrawn: string[]
}

export interface ListQuery {
  type?: string
  signer?: Uint8Array
  suite?: string
  model?: string
  /** Most entries to return (default: all). */
  limit?: number
  /**
   * Cursor: where the previous page ended — `pageCursor(last entry)` (`CREATED.ID`, a position: it holds even when
   * that record has been withdrawn since), or a stored record's ID.
   */
  after?: string
  /** Only records with since <= created < until (ms). */
  since?: number
  until?: number
}

/** A record's position in the store's (created, id) order — what sync reconciles over. */
export interface RecordKey {
  created: number
  id: string
}

/** One entry of list(): what the indexes know without reading the envelope. */
export interface RecordInfo {
  id: string
  type: string
  signer: Uint8Array
  created: number
  suite?: string
  model?: string
}

export interface Tombstone {
  reason: string
  /**
   * Signer (hex) of the withdrawn record, when the tombstone comes from a Retraction: it then withdraws only a record
   * by that signer. Absent: the record is withdrawn whoever signed it (an operator's erasure).
   */
  signer?: string
  /** When this site wrote the tombstone (ms). */
  at: number
  /**
   * sync-v1 §2: the tombstone withdrew a stored record, or refused a put by its own signer. Only then does it keep
   * the ID out of sync: a Retraction naming an ID not stored yet says nothing about whoever will sign that ID.
   */
  withdrew?: boolean
}

/**
 * The cursor for the page after `last`: its position in the (created, id) order, `CREATED.ID`. Paging by position,
 * not by the record's presence, so a record withdrawn between two pages does not end the listing.
 */
export function pageCursor(last: RecordKey): string {
  return `${last.created}.${last.id}`
}

const CURSOR = /^([0-9]{1,16})\.([a-z2-7]{1,128})$/

function parseCursor(after: string): RecordKey | undefined {
  const m = CURSOR.exec(after)
  return m === null || !Number.isSafeInteger(Number(m[1])) ? undefined : { created: Number(m[1]), id: m[2]! }
}

export class StoreError extends Error {
  constructor(readonly code: 'store_locked' | 'store_open_failed' | 'store_format' | 'bad_record' | 'store_closed', message: string, options?: { cause?: unknown }) {
    super(message, options)
    this.name = 'StoreError'
  }
}

/** A queued write; `digest` is the one its ID names (checked when it was queued). */
type Op =
  | { kind: 'put'; id: string; digest: Uint8Array; record: StorableRecord; meta: RecordMeta; then?: Array<{ id: string; tombstone: Tombstone }>; withdrawn?: string[]; done: (r: PutResult) => void; fail: (e: unknown) => void }
  | { kind: 'tombstone'; id: string; digest: Uint8Array; tombstone: Tombstone; done: (r: PutResult) => void; fail: (e: unknown) => void }

/** One ID's state as a batch evolves it: its meta if stored, its tombstone if withdrawn. */
interface IdState {
  digest: Uint8Array
  meta: RecordMeta | undefined
  tomb: Tombstone | undefined
}

type Chained = ReturnType<Level<Uint8Array, Uint8Array>['batch']>

const EMPTY = new Uint8Array(0)
/** Every key of one single-byte prefix: [p, p + 1). */
const span = (prefix: number) => ({ gte: Uint8Array.of(prefix), lt: Uint8Array.of(prefix + 1) })
const recordKey = (id: string): Uint8Array | undefined => {
  const d = recordDigest(id)
  return d === undefined ? undefined : digestKey(RECORD, d)
}
const keyHex = (k: Uint8Array) => Buffer.from(k.buffer, k.byteOffset, k.byteLength).toString('hex')
const utf8 = new TextEncoder()
const fromUtf8 = new TextDecoder()
const hex = (b: Uint8Array) => Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString('hex')

export class RecordStore {
  private queue: Op[] = []
  private writing: Promise<void> | undefined
  private closed = false
  /** Where a record's entries are built before level copies them into the batch (grown as needed). */
  private scratch = new Uint8Array(16 * 1024)
  /** Called after each synced batch with its number of operations and its duration (for metrics). */
  onBatch: ((ops: number, seconds: number) => void) | undefined

  private constructor(private readonly db: Level<Uint8Array, Uint8Array>, private records: number, private readonly held: HeldFilter, readonly location: string) {}

  /**
   * Opens (creating if needed) the store at `location` — a site's store is `sitePaths(dir).store`, i.e. DIR/store.
   * Fails with code 'store_locked' when another process (a running `aip start`) or instance holds it.
   */
  static async open(location: string): Promise<RecordStore> {
    const db = new Level<Uint8Array, Uint8Array>(location, { keyEncoding: 'view', valueEncoding: 'view' })
    try {
      await db.open()
    } catch (err) {
      const e = err as { code?: string; cause?: { code?: string } }
      if (e.code === 'LEVEL_LOCKED' || e.cause?.code === 'LEVEL_LOCKED') {
        throw new StoreError('store_locked', `the record store ${location} is locked by another process (is \`aip start\` running on this site?)`, { cause: err })
      }
      throw new StoreError('store_open_failed', `cannot open the record store ${location}: ${(err as Error).message}`, { cause: err })
    }
    await RecordStore.checkFormat(db, location)
    // Two passes over the keys — count, then fill a filter of that size — so memory stays the filter's, not every key's.
    let n = 0
    let tombstones = 0
    for await (const _ of db.keys(span(RECORD))) n++
    for await (const _ of db.keys(span(TOMBSTONE))) tombstones++
    const held = new HeldFilter(n + tombstones)
    for (const prefix of [RECORD, TOMBSTONE]) for await (const key of db.keys(span(prefix))) held.add(key.subarray(1))
    return new RecordStore(db, n, held, location)
  }

  /**
   * Reads the layout version: a new store (no version key, nothing in it) gets it; format 1 (no version key),
   * format 2 and format 3 are migrated (migrate.ts); any other is refused (keys.ts).
   */
  private static async checkFormat(db: Level<Uint8Array, Uint8Array>, location: string): Promise<void> {
    const v = await db.get(FORMAT_KEY)
    const format = v === undefined ? undefined : fromUtf8.decode(v)
    if (format === String(STORE_FORMAT)) return
    if (format === undefined || format === '2' || format === '3') return migrate(db, format === undefined ? 1 : Number(format) as 2 | 3)
    await db.close()
    throw new StoreError('store_format', `the record store ${location} has format ${JSON.stringify(format.slice(0, 20))}; this aip reads format ${STORE_FORMAT} (and migrates formats 1 to 3): use the aip version that wrote it`)
  }

  /** Stores a record durably; resolves once it is synced to disk (possibly together with concurrent puts). */
  put(record: StorableRecord): Promise<PutResult> {
    return new Promise((done, fail) => {
      const { meta, digest } = checked(record)
      this.enqueue({ kind: 'put', id: record.id, digest, record, meta, done, fail })
    })
  }

  /**
   * Stores a record and, only if it is stored, its tombstones, in ONE synced batch (aip-v1 §4.4, §4.5): a crash never
   * keeps a Retraction or Revocation without the withdrawals it causes. A tombstone never withdraws a federation record.
   */
  putWith(record: StorableRecord, tombstones: readonly TombstoneSpec[], at = Date.now()): Promise<PutWithResult> {
    const then = tombstones.map((t) => ({ id: t.id, tombstone: { reason: t.reason, signer: hex(t.signer), at } }))
    return new Promise((done, fail) => {
      const { meta, digest } = checked(record)
      const op: Op = { kind: 'put', id: record.id, digest, record, meta, then, withdrawn: [], done: (result) => done({ result, withdrawn: op.kind === 'put' ? op.withdrawn ?? [] : [] }), fail }
      this.enqueue(op)
    })
  }

  /** Stores many records in one synced batch (group commit); results in input order. */
  putMany(records: StorableRecord[]): Promise<PutResult[]> {
    return Promise.all(records.map((r) => this.put(r)))
  }

  /**
   * Marks a record as withdrawn (retracted, erased): its tombstone is kept so sync does not fetch it again, and the
   * record itself, if stored, is deleted with its index entries in the same batch. Later puts of it are refused.
   * With `signer`, only a record by that signer is withdrawn ('ignored' when the stored record has another signer).
   */
  addTombstone(id: string, reason: string, opts: { signer?: Uint8Array; at?: number } = {}): Promise<'stored' | 'ignored'> {
    const tombstone: Tombstone = { reason, at: opts.at ?? Date.now() }
    if (opts.signer !== undefined) tombstone.signer = hex(opts.signer)
    // a tombstone keeps a record out: an ID that is not a record ID names nothing a store can hold
    const digest = recordDigest(id)
    if (digest === undefined) return Promise.reject(new StoreError('bad_record', `'${id.slice(0, 80)}' is not a record ID`))
    return new Promise((done, fail) => this.enqueue({ kind: 'tombstone', id, digest, tombstone, done: (r) => done(r === 'stored' ? 'stored' : 'ignored'), fail }))
  }

  async isTombstoned(id: string): Promise<boolean> {
    return (await this.getTombstone(id)) !== undefined
  }

  async getTombstone(id: string): Promise<Tombstone | undefined> {
    const d = recordDigest(id)
    const v = d === undefined ? undefined : await this.db.get(digestKey(TOMBSTONE, d))
    return v === undefined ? undefined : (JSON.parse(fromUtf8.decode(v)) as Tombstone)
  }

  async *tombstones(): AsyncIterable<{ id: string } & Tombstone> {
    for await (const [k, v] of this.db.iterator(span(TOMBSTONE))) {
      yield { id: recordIdOfDigest(k.subarray(1)), ...(JSON.parse(fromUtf8.decode(v)) as Tombstone) }
    }
  }

  /**
   * Whether the record is stored. A point read (LevelDB Get: memtable, then bloom filters and the block cache), not
   * level's has(): classic-level answers has() with a new iterator over every table — on the door's hot path (one
   * lookup per received record) that cost more CPU than the signature check (bench/gossip profile, issue 17).
   */
  async has(id: string): Promise<boolean> {
    const d = recordDigest(id)
    // the held filter answers most misses (a record not seen before) without a read
    return d !== undefined && this.held.mayHold(d) && (await this.db.get(digestKey(RECORD, d))) !== undefined
  }

  /**
   * has() for many IDs: the held filter answers the misses, and the IDs it may hold are read together in one
   * getMany (one native call for a burst — the door's duplicate check, issue 17).
   */
  async hasMany(ids: readonly string[]): Promise<boolean[]> {
    const out = new Array<boolean>(ids.length).fill(false)
    const keys: Uint8Array[] = [], at: number[] = []
    for (let i = 0; i < ids.length; i++) {
      const d = recordDigest(ids[i]!)
      if (d === undefined || !this.held.mayHold(d)) continue
      keys.push(digestKey(RECORD, d))
      at.push(i)
    }
    if (keys.length === 0) return out
    const found = await this.db.getMany(keys)
    for (let j = 0; j < at.length; j++) out[at[j]!] = found[j] !== undefined
    return out
  }

  /** The record's envelope bytes, or undefined. */
  async get(id: string): Promise<Uint8Array | undefined> {
    const k = recordKey(id)
    return k === undefined ? undefined : plain(await this.db.get(k))
  }

  async getMany(ids: string[]): Promise<(Uint8Array | undefined)[]> {
    const keys = ids.map(recordKey)
    const found = await this.db.getMany(keys.filter((k) => k !== undefined))
    let i = 0
    return keys.map((k) => (k === undefined ? undefined : plain(found[i++])))
  }

  async info(id: string): Promise<RecordInfo | undefined> {
    const k = recordKey(id)
    const v = k === undefined ? undefined : await this.db.get(k)
    return v === undefined ? undefined : infoOf(id, metaOfValue(v))
  }

  /**
   * Records matching every given field, ordered by (created, id) within the most selective index.
   * Page with `limit` and `after` (the last ID of the previous page).
   */
  async *list(q: ListQuery = {}): AsyncIterable<RecordInfo> {
    const signer = q.signer === undefined ? undefined : hex(q.signer)
    // the most selective index there is; the signer (no index since format 2) is filtered on the meta below
    const [index, value]: [IndexName, string | undefined] =
      q.suite !== undefined ? ['suite', q.suite] : q.model !== undefined ? ['model', q.model]
        : q.type !== undefined ? ['type', q.type] : ['all', undefined]
    const prefix = bucket(index, value)
    let gt = q.since === undefined ? prefix : positionKey(prefix, q.since)
    const lt = q.until === undefined ? prefixEnd(prefix) : positionKey(prefix, q.until)
    if (q.after !== undefined) {
      // a position cursor is used as is; an ID cursor is placed through its record (so it must be stored)
      const after = parseCursor(q.after) ?? await this.info(q.after)
      if (after === undefined) return // an ID cursor whose record is not stored: nothing to place it by
      // (a position naming no record ID is placed before that millisecond: a page may repeat, never skip)
      const cursor = positionKey(prefix, after.created, recordDigest(after.id))
      if (Buffer.compare(cursor, gt) > 0) gt = cursor
    }
    const limit = q.limit ?? Infinity
    if (limit <= 0) return
    let n = 0
    for await (const key of this.db.keys({ gt, lt })) {
      const info = await this.info(recordIdOfDigest(digestOfIndexKey(key)))
      if (info === undefined) continue // deleted by a concurrent tombstone since the snapshot
      if (q.type !== undefined && info.type !== q.type) continue
      if (signer !== undefined && hex(info.signer) !== signer) continue
      if (q.suite !== undefined && info.suite !== q.suite) continue
      if (q.model !== undefined && info.model !== q.model) continue
      yield info
      if (++n >= limit) return
    }
  }

  /** IDs of every stored record, reading keys only (sync's index: specs/sync-v1.md §2). */
  async *ids(): AsyncIterable<string> {
    for await (const key of this.db.keys(span(RECORD))) yield recordIdOfDigest(key.subarray(1))
  }

  /** Number of records stored (tombstones not counted). */
  async count(): Promise<number> {
    return this.records
  }

  /**
   * Every stored record's (created, id) in that order, read from the index keys alone (no per-record read): the
   * fast path for set reconciliation. `since`/`until` bound created (ms) as [since, until).
   */
  async *keys(q: { since?: number; until?: number } = {}): AsyncIterable<RecordKey> {
    const prefix = bucket('all')
    const gte = q.since === undefined ? prefix : positionKey(prefix, q.since)
    const lt = q.until === undefined ? Uint8Array.of(INDEX.all + 1) : positionKey(prefix, q.until)
    for await (const key of this.db.keys({ gte, lt })) yield { created: readCreated(key, 1), id: recordIdOfDigest(key.subarray(9)) }
  }

  /**
   * Checks that every index entry points to a stored record with matching meta and every record has its meta and
   * all its index entries, and that each record's bytes hash to its ID. Returns the problems found (empty = sound).
   */
  async checkIntegrity(): Promise<{ records: number; indexEntries: number; problems: string[] }> {
    const problems: string[] = []
    const expected = new Set<string>()
    let records = 0
    for await (const [key, value] of this.db.iterator(span(RECORD))) {
      records++
      const id = key.length === 33 ? recordIdOfDigest(key.subarray(1)) : `(key ${keyHex(key)})`
      let meta: RecordMeta
      try {
        meta = metaOfValue(value)
      } catch {
        problems.push(`record ${id}: no readable meta`)
        continue
      }
      if (recordId(envelopeOf(value)) !== id) problems.push(`record ${id}: bytes do not hash to its ID`)
      for (const k of indexKeys(key.subarray(1), meta)) expected.add(keyHex(k))
    }
    let indexEntries = 0
    for await (const key of this.db.keys()) {
      if (key[0] === RECORD || key[0] === TOMBSTONE || Buffer.compare(key, FORMAT_KEY) === 0) continue
      indexEntries++
      if (!expected.delete(keyHex(key))) problems.push(`index entry ${keyHex(key)} has no matching record`)
    }
    for (const k of expected) problems.push(`index entry ${k} is missing`)
    if (records !== this.records) problems.push(`count ${this.records} != ${records} records on disk`)
    return { records, indexEntries, problems }
  }

  /** Waits for queued writes, then closes the database. */
  async close(): Promise<void> {
    if (this.closed) return
    this.closed = true
    while (this.writing) await this.writing
    await this.db.close()
  }

  private enqueue(op: Op): void {
    if (this.closed) {
      op.fail(new StoreError('store_closed', 'the record store is closed'))
      return
    }
    this.queue.push(op)
    // Start on a microtask, so every put issued in the same tick (putMany, concurrent validations) joins one batch.
    this.writing ??= Promise.resolve().then(() => this.drain())
  }

  /** Writes queued operations, one synced batch at a time, until the queue is empty (group commit). */
  private async drain(): Promise<void> {
    while (this.queue.length > 0) {
      const ops = this.queue.splice(0)
      try {
        const t0 = performance.now()
        const results = await this.writeBatch(ops)
        this.onBatch?.(ops.length, (performance.now() - t0) / 1000)
        ops.forEach((op, i) => op.done(results[i]))
      } catch (err) {
        for (const op of ops) op.fail(err)
      }
    }
    this.writing = undefined
  }

  private async writeBatch(ops: Op[]): Promise<PutResult[]> {
    // The state of every ID the batch names. An ID the held filter does not hold has neither a record nor a
    // tombstone: only the others are read (one native read for all: records, then tombstones).
    const state = new Map<string, IdState>()
    const unread: IdState[] = []
    const touch = (id: string, digest: Uint8Array): void => {
      if (state.has(id)) return
      const s: IdState = { digest, meta: undefined, tomb: undefined }
      state.set(id, s)
      if (this.held.mayHold(digest)) unread.push(s)
    }
    for (const op of ops) {
      touch(op.id, op.digest)
      // Tombstones written after a put (putWith) name other IDs (one that is not a record ID names nothing a store
      // can hold: it is dropped).
      if (op.kind === 'put' && op.then !== undefined) {
        op.then = op.then.filter((t) => {
          const d = state.get(t.id)?.digest ?? recordDigest(t.id)
          if (d !== undefined) touch(t.id, d)
          return d !== undefined
        })
      }
    }
    if (unread.length > 0) {
      const found = await this.db.getMany([...unread.map((s) => digestKey(RECORD, s.digest)), ...unread.map((s) => digestKey(TOMBSTONE, s.digest))])
      unread.forEach((s, i) => {
        const r = found[i]
        const t = found[unread.length + i]
        s.meta = r === undefined ? undefined : metaOfValue(r)
        s.tomb = t === undefined ? undefined : (JSON.parse(fromUtf8.decode(t)) as Tombstone)
      })
    }
    // A chained batch: the same single atomic, synced LevelDB write as db.batch(array), but each entry goes straight
    // to the native batch, which copies it (so keys and values are built in one reused buffer).
    let batch: Chained | undefined
    const b = () => (batch ??= this.db.batch())
    let delta = 0
    const putTomb = (s: IdState, t: Tombstone) => {
      b().put(digestKey(TOMBSTONE, s.digest), utf8.encode(JSON.stringify(t)))
      s.tomb = t
      this.held.add(s.digest)
    }
    /** Writes one tombstone; 'stored' if written (withdrawing the stored record, if any), else 'duplicate'. */
    const tombstone = (id: string, t: Tombstone, withdrawn?: string[]): PutResult => {
      const s = state.get(id)!
      const m = s.meta
      // A tombstone bound to a signer only withdraws that signer's record (spec §4.5: a Retraction has effect only
      // on a target signed by the same key), and never a federation record (§5: the trust state's input).
      // aip-v1 §4.5: … and never a federation record (the registry's federation family)
      if (m !== undefined && t.signer !== undefined && (hex(m.signer) !== t.signer || isFederationType(m.type))) return 'duplicate'
      putTomb(s, m !== undefined || s.tomb?.withdrew === true ? { ...t, withdrew: true } : t)
      if (m !== undefined) {
        b().del(digestKey(RECORD, s.digest))
        for (const k of indexKeys(s.digest, m)) b().del(k)
        s.meta = undefined
        withdrawn?.push(id)
        delta--
      }
      return 'stored'
    }
    try {
      const results = ops.map((op): PutResult => {
        if (op.kind === 'tombstone') return tombstone(op.id, op.tombstone)
        const s = state.get(op.id)!
        const t = s.tomb
        // A tombstone never blocks a federation record (aip-v1 §4.5, §5).
        if (t !== undefined && !isFederationType(op.meta.type)) {
          if (t.signer === undefined || t.signer === hex(op.meta.signer)) {
            // sync-v1 §2: it names this record's own signer: from now on it keeps the ID out of sync
            if (t.signer !== undefined && t.withdrew !== true) putTomb(s, { ...t, withdrew: true })
            return 'tombstoned'
          }
        }
        if (t !== undefined) {
          b().del(digestKey(TOMBSTONE, s.digest)) // by another signer, or on a federation record: withdraws nothing
          s.tomb = undefined
        }
        if (s.meta !== undefined) return 'duplicate'
        this.putRecord(b(), s.digest, op.meta, op.record.bytes)
        s.meta = op.meta
        delta++
        for (const then of op.then ?? []) tombstone(then.id, then.tombstone, op.withdrawn)
        return 'stored'
      })
      if (batch !== undefined) {
        const written = batch
        batch = undefined
        await written.write({ sync: true }) // closes the batch on success and on failure
      }
      this.records += delta
      return results
    } finally {
      if (batch !== undefined) await batch.close()
    }
  }

  /**
   * Adds a record's entries to the batch — its value (meta and envelope) under 01 D, an empty value under each index
   * key — built one after another in the scratch buffer: level copies each into the native batch as it is added.
   */
  private putRecord(batch: Chained, digest: Uint8Array, meta: RecordMeta, envelope: Uint8Array): void {
    const buckets = indexBuckets(meta)
    let need = 33 + recordValueLength(meta, buckets, envelope)
    for (const p of buckets) need += p.length + 8 + 32
    if (need > this.scratch.length) this.scratch = new Uint8Array(Math.max(need, 2 * this.scratch.length))
    const out = this.scratch
    out[0] = RECORD
    out.set(digest, 1)
    const end = writeRecordValue(out, 33, meta, buckets, envelope)
    batch.put(out.subarray(0, 33), out.subarray(33, end))
    let at = end
    for (const p of buckets) {
      const next = writePositionKey(out, at, p, meta.created, digest)
      batch.put(out.subarray(at, next), EMPTY)
      at = next
    }
    this.held.add(digest)
  }
}

/** An r! value's envelope as a plain Uint8Array view (level returns Buffers; same memory), as the record layer produces. */
function plain(v: Uint8Array | undefined): Uint8Array | undefined {
  return v === undefined ? undefined : envelopeOf(v)
}

/** The index fields of a record: type, signer (hex), created, and the body links its registry row names (`index`). */
export function metaOf(r: StorableRecord): Omit<RecordMeta, 'signer'> & { signer: string } {
  const { meta } = checked(r)
  return { ...meta, signer: hex(meta.signer) }
}

/** A record's meta and the digest its ID names; throws 'bad_record' if either is malformed. */
function checked(r: StorableRecord): { meta: RecordMeta; digest: Uint8Array } {
  const digest = typeof r.id === 'string' ? recordDigest(r.id) : undefined
  if (digest === undefined) throw new StoreError('bad_record', `record ID '${String(r.id).slice(0, 80)}' is not a record ID (a base32 raw sha2-256 CID)`)
  if (!Number.isSafeInteger(r.created) || r.created < 0) throw new StoreError('bad_record', `record ${r.id}: created must be a non-negative integer (ms)`)
  if (!/^[A-Za-z]{1,255}$/.test(r.type)) throw new StoreError('bad_record', `record ${r.id}: bad type '${r.type.slice(0, 80)}'`)
  if (!(r.signer instanceof Uint8Array) || r.signer.length > 255) throw new StoreError('bad_record', `record ${r.id}: bad signer key`)
  const meta: RecordMeta = { type: r.type, signer: r.signer, created: r.created }
  const index = specOf(r.type)?.index
  if (index !== undefined && r.body !== null && typeof r.body === 'object') {
    for (const k of index) {
      const link = CID.asCID((r.body as Partial<Record<IndexKey, unknown>>)[k])
      // a record link (raw sha2-256, all the registry's index fields hold) in the record-ID base32 form, which is
      // its CID string; without CID.toString's generic multibase path (a new CID object per record received)
      if (link) meta[k] = isRecordCid(link) ? recordIdOfDigest(link.multihash.digest) : link.toString()
    }
  }
  return { meta, digest }
}

function infoOf(id: string, m: RecordMeta): RecordInfo {
  const info: RecordInfo = { id, type: m.type, signer: m.signer, created: m.created }
  if (m.suite !== undefined) info.suite = m.suite
  if (m.model !== undefined) info.model = m.model
  return info
}

/** Rebuilds the federation trust state from this store (node/store/trust.ts). */
export { loadTrust } from './trust.ts'
