/**
 * Ingest: the one path by which a record enters a site's store outside gossip — `aip publish`, `aip import`, the
 * local API when no network runs, sync. Validate (the record layer's full pipeline against this site's trust state),
 * store durably, then let the record act: a federation record updates the trust state, a Retraction tombstones
 * its target (spec §4.5: only a target by the same signer).
 */
import { TRUST_TYPES, decodeRecord, feedsTrust, recordId, validateRecord } from '../../protocol/index.ts'
import type { DecodedRecord, Outcome, RecordType, RevocationBody, SiteCertificateBody, TrustState } from '../../protocol/index.ts'
import type { PutResult, RecordStore } from '../store/store.ts'
import { FEDERATION_TYPES } from '../store/trust.ts'

/** A validation outcome plus what the store did; `tombstoned` is the store's own ignore code (a withdrawn record). */
export interface IngestOutcome {
  action: 'accept' | 'ignore' | 'reject'
  code: string
  message?: string
  /** The record ID (the hash of the bytes, known even when they do not decode). */
  id: string
  record?: DecodedRecord
}

export class Ingestor {
  /**
   * @param onAlert called with each new operator alert the trust state raises (e.g. competing successor charters,
   *   aip-v1 §5.2); the running node logs it.
   */
  constructor(readonly store: RecordStore, readonly trust: TrustState, private readonly clock: () => number = Date.now,
    private readonly onAlert?: (alert: string) => void) {}

  async ingest(bytes: Uint8Array): Promise<IngestOutcome> {
    const id = recordId(bytes)
    const known = await this.store.has(id)
    const outcome = validateRecord(bytes, { now: this.clock(), trust: this.trust, isKnown: (x) => known && x === id })
    if (outcome.action !== 'accept') {
      this.observeIgnored(outcome)
      return { action: outcome.action, code: outcome.code, message: outcome.message, id }
    }
    const record = outcome.record
    const stored = await this.store.put(record)
    if (stored !== 'stored') return ignored(stored, id, record)
    await this.apply(record)
    return { action: 'accept', code: 'ok', id, record }
  }

  /**
   * aip-v1 §5.7: every federation record that passed the stateless checks feeds the trust state, also when IGNOREd
   * (a competing successor charter must reach the trust state to be detected). It is not stored.
   */
  observeIgnored(outcome: Outcome): void {
    if (outcome.action !== 'ignore' || !feedsTrust(outcome)) return
    const before = this.trust.alerts().length
    this.trust.apply(outcome.record)
    for (const alert of this.trust.alerts().slice(before)) this.onAlert?.(alert)
  }

  /** Effects of an accepted, stored record on this site's state. */
  async apply(record: DecodedRecord): Promise<void> {
    if (FEDERATION_TYPES.includes(record.type)) this.trust.apply(record)
    if (record.type === 'Revocation') await this.withdrawRevoked(record as DecodedRecord<'Revocation'>)
    if (record.type === 'Retraction') {
      const body = record.body as { target: { toString(): string }; reason: string }
      await this.store.addTombstone(body.target.toString(), `retracted by ${record.id}: ${body.reason}`.slice(0, 512), { signer: record.signer })
    }
  }

  /**
   * aip-v1 §4.4: a Revocation withdraws a key or certificate from `effective_from` on, and records are judged at
   * their `created` time. A record of the revoked signer that arrived before the revocation is therefore no longer
   * valid: withdraw it (tombstone bound to that signer) so it is neither listed, served nor fetched again
   * (sync-v1: only records valid now are reconciled). Federation records stay: they are the trust state's input.
   * Returns how many records were withdrawn.
   */
  async withdrawRevoked(revocation: DecodedRecord<'Revocation'>): Promise<number> {
    const body = revocation.body as RevocationBody
    let key = body.target_key
    if (key === undefined && body.target !== undefined) {
      const bytes = await this.store.get(body.target.toString())
      const cert = bytes === undefined ? undefined : decodeRecord(bytes)
      if (cert?.action === 'accept' && cert.record.type === 'SiteCertificate') key = (cert.record.body as SiteCertificateBody).site_key
    }
    if (key === undefined) return 0
    let withdrawn = 0
    for await (const info of this.store.list({ signer: key, since: body.effective_from })) {
      if (TRUST_TYPES.has(info.type as RecordType)) continue
      if (this.trust.siteAt(key, info.created) !== undefined) continue // still certified then (another certificate)
      if (await this.store.addTombstone(info.id, `withdrawn: signer revoked by ${revocation.id}`, { signer: key }) === 'stored') withdrawn++
    }
    return withdrawn
  }
}


function ignored(stored: Exclude<PutResult, 'stored'>, id: string, record: DecodedRecord): IngestOutcome {
  return stored === 'duplicate'
    ? { action: 'ignore', code: 'duplicate', message: 'already stored', id, record }
    : { action: 'ignore', code: 'tombstoned', message: 'retracted or erased at this site', id, record }
}
