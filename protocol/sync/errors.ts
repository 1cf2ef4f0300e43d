/**
 * Why a sync peer is cut off (specs/sync-v1.md §7). Every code means the peer broke the protocol: the stream is
 * reset and the peer scored down. A peer that merely lacks records never causes an error.
 */
export type SyncErrorCode =
  | 'malformed' // not the deterministic CBOR of a query or reply, or a field of the wrong type or size (§5)
  | 'non_canonical' // open groups or entries out of order, a path with non-zero spare bits, an empty mask (§5.1)
  | 'limit' // over a limit of §6: message size, opens, wants, records, rounds
  | 'inconsistent' // a reply that does not answer the query: wrong node count, counts that do not add up,
  //                  listing where a split is due or the reverse, an entry outside its node (§5.2)
  | 'unsolicited' // a record nobody asked for, or an invalid record (§5.3)
  | 'timeout' // no message within ROUND_TIMEOUT_MS, or the session over SESSION_TIMEOUT_MS (§6)

export class SyncError extends Error {
  constructor(
    readonly code: SyncErrorCode,
    message: string,
  ) {
    super(message)
    this.name = 'SyncError'
  }
}
