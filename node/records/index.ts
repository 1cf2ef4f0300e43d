/**
 * How a record gets into a site: one door (`RecordDoor.admit(bytes, source)`), one outcome (`AdmitOutcome`), one
 * `stored` event. RFC 8742 CBOR sequences (`aip import`/`export` files) are split by `splitSequence`.
 *
 * ```ts
 * const door = await RecordDoor.open(store, site.config.genesisCharter, { limits })
 * door.on('stored', ({ record, source }) => index.add(digestOfId(record.id)))
 * await door.admit(bytes, { via: 'gossip', peer, topic })   // { action, code, message?, id?, record? }
 * ```
 */
export { RecordDoor } from './door.ts'
export type { DoorEvents, DoorOptions, PeerAdmission, StoredEvent } from './door.ts'
export { ADMIT_CODES, SITE_CODES, fromPeer, publicOutcome, sourceLabel } from './outcome.ts'
export type { AdmitCode, AdmitOutcome, SiteCode, Source } from './outcome.ts'
export { ValidationQueues } from './queues.ts'
export type { Family, QueueOptions } from './queues.ts'
export { joinSequence, splitSequence, MAX_SEQUENCE_DEPTH } from './sequence.ts'
export type { SequenceItem } from './sequence.ts'
