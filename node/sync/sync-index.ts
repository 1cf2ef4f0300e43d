/**
 * The in-memory view sync reconciles (specs/sync-v1.md §2): the digests of the records a site holds and of the
 * records it has withdrawn (tombstones). Built from the record store; kept current by `add` / `withdraw` from
 * whoever stores records, and reloaded when the store's count no longer matches (a record stored by a path that
 * did not tell the index).
 */
import { IdSet } from '../../protocol/index.ts'
import type { RecordStore } from '../store/store.ts'
import { digestOfId } from './record-ids.ts'

/** What the index reads from the store. */
export type IndexedStore = Pick<RecordStore, 'ids' | 'tombstones' | 'count'>

export class SyncIndex {
  private ids = IdSet.empty()
  private pending: Uint8Array[] = []
  private gone = IdSet.empty()
  private gonePending: Uint8Array[] = []
  /** Records held here but never offered by sync (restricted or embargoed alignment chunks, alignment-v1 O1–O2). */
  private held = IdSet.empty()

  private constructor(private readonly store: IndexedStore, private readonly heldBack?: () => Promise<Iterable<string>>) {}

  /** @param heldBack the IDs of stored records sync must not offer (read again on every reload). */
  static async load(store: IndexedStore, heldBack?: () => Promise<Iterable<string>>): Promise<SyncIndex> {
    const index = new SyncIndex(store, heldBack)
    await index.reload()
    return index
  }

  /** Rebuilds from the store. */
  async reload(): Promise<void> {
    const ids: Uint8Array[] = []
    const held = IdSet.from([...(await this.heldBack?.()) ?? []].map(digestOfId))
    for await (const id of this.store.ids()) {
      const d = digestOfId(id)
      if (!held.has(d)) ids.push(d)
    }
    const gone: Uint8Array[] = []
    // sync-v1 §2: a tombstone keeps an ID out of sync only when it withdrew a stored record, refused a put by its own
    // signer, or is an operator's erasure (no signer) — not a Retraction naming an ID this site never held
    for await (const t of this.store.tombstones()) if (t.withdrew === true || t.signer === undefined) gone.push(digestOfId(t.id))
    this.ids = IdSet.from(ids)
    this.held = held
    this.gone = IdSet.from(gone)
    this.pending = []
    this.gonePending = []
  }

  /** A record was stored. */
  add(digest: Uint8Array): void {
    this.pending.push(digest)
  }

  /** A record was stored that sync must not offer (alignment-v1 O1–O2); `add` it once it may travel. */
  holdBack(digest: Uint8Array): void {
    // a record just stored is still pending: take it out there, instead of settling and rebuilding the whole set
    this.pending = this.pending.filter((d) => Buffer.compare(d, digest) !== 0)
    this.held = this.held.withIds([digest])
    if (this.ids.has(digest)) this.ids = this.ids.withoutIds([digest])
  }

  /** A held-back record may now travel (its embargo ended). */
  release(digest: Uint8Array): void {
    this.settle()
    this.held = this.held.withoutIds([digest])
    this.pending.push(digest)
  }

  /** A record was withdrawn (retracted, revoked): never served or fetched again. */
  withdraw(digest: Uint8Array): void {
    this.gonePending.push(digest)
  }

  /** The records held now (an immutable snapshot), reloading first if the store's count disagrees. */
  async snapshot(): Promise<IdSet> {
    this.settle()
    if ((await this.store.count()) !== this.ids.size + this.held.size) await this.reload()
    return this.ids
  }

  /** Tombstoned digests (an immutable snapshot). */
  tombstones(): IdSet {
    this.settle()
    return this.gone
  }

  private settle(): void {
    if (this.gonePending.length > 0) {
      this.gone = this.gone.withIds(this.gonePending)
      this.ids = this.ids.withoutIds(this.gonePending)
      this.gonePending = []
    }
    if (this.pending.length > 0) {
      const add = this.pending.filter((d) => !this.gone.has(d))
      this.ids = this.ids.withIds(add)
      this.pending = []
    }
  }
}
