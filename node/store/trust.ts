/**
 * Rebuilds the federation trust state from stored records: every federation record (charters, approvals,
 * certificates, revocations, retractions) replayed into a fresh TrustState rooted at the site's pinned genesis
 * charter. TrustState buffers what it cannot place yet, so the replay order only matters for speed (types in
 * dependency order, each by created time).
 */
import { TRUST_TYPES, TrustState, decodeRecord } from '../../protocol/index.ts'
import type { RecordType } from '../../protocol/index.ts'
import type { RecordStore } from './store.ts'

/** Record types that change who is trusted (the registry's trust types), in the order they are replayed. */
export const FEDERATION_TYPES: readonly RecordType[] = [...TRUST_TYPES]

/** Replays the envelopes `byType(type)` yields, for each federation type, into a new TrustState. */
export async function replayTrust(genesisCharterId: string, byType: (type: RecordType) => AsyncIterable<Uint8Array>): Promise<TrustState> {
  const trust = new TrustState(genesisCharterId)
  for (const type of FEDERATION_TYPES) {
    for await (const bytes of byType(type)) {
      const outcome = decodeRecord(bytes)
      if (outcome.action === 'accept') trust.apply(outcome.record)
    }
  }
  return trust
}

export function loadTrust(store: RecordStore, genesisCharterId: string): Promise<TrustState> {
  return replayTrust(genesisCharterId, async function* (type) {
    for await (const info of store.list({ type })) {
      const bytes = await store.get(info.id)
      if (bytes !== undefined) yield bytes // undefined: tombstoned meanwhile
    }
  })
}
