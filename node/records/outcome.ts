/**
 * What the door answers (node/records/door.ts): one outcome type for every entrance — gossip, sync, hello, the local
 * API, `aip import`/`publish` and local publishing — with an action and a code from one closed set. The record
 * layer's codes (aip-v1 §6.3) plus the site's own (network-v1 §6–§7, aip-v1 §4.5): no entrance invents a name.
 */
import { IGNORE_CODES, REJECT_CODES } from '../../protocol/index.ts'
import type { DecodedRecord } from '../../protocol/index.ts'

/** Codes the site adds to the record layer's: its store, its queues, its peers, its limits. */
export const SITE_CODES = [
  /** IGNORE: the store has withdrawn this ID (a Retraction by the record's own signer, a Revocation, an erasure). */
  'tombstoned',
  /** REJECT: the record's type belongs on another gossip topic, or is not one a hello may carry (network-v1 §3, §4). */
  'wrong_topic',
  /** IGNORE: the signer is over its rate or quota (network-v1 §7). Never penalises the peer that relayed it. */
  'rate_limited',
  'quota_exceeded',
  /** IGNORE: the validation queue of the record's family (or the bytes held for this peer) is full (network-v1 §7). */
  'queue_full',
  /** IGNORE: the peer that sent it has not passed hello (network-v1 §6 step 1). */
  'peer_not_admitted',
  /** IGNORE: a fault of this site (a store error); logged. */
  'internal_error',
  /** REJECT: a TLP:AMBER/AMBER+STRICT/RED chunk by gossip, sync or hello (alignment-v1 O1). */
  'restricted_content',
  /** REJECT: a chunk fetched by share that no manifest held here lists for this site (alignment-v1 O4). */
  'not_in_audience',
  /** IGNORE: a chunk still under embargo (alignment-v1 O2). */
  'embargoed',
] as const

export type SiteCode = (typeof SITE_CODES)[number]
export type AdmitCode = 'ok' | (typeof REJECT_CODES)[number] | (typeof IGNORE_CODES)[number] | SiteCode
/** The closed set of codes an admission can end with. */
export const ADMIT_CODES: ReadonlySet<AdmitCode> = new Set<AdmitCode>(['ok', ...REJECT_CODES, ...IGNORE_CODES, ...SITE_CODES])

export interface AdmitOutcome {
  action: 'accept' | 'ignore' | 'reject'
  code: AdmitCode
  message?: string
  /** The record ID (the hash of the bytes), known even when they do not decode; absent above MAX_ENVELOPE_BYTES. */
  id?: string
  /** The stored record (accept only). */
  record?: DecodedRecord
}

/**
 * Which entrance a record came by, and from which peer: what the door charges (signer limits: peers only), which
 * queue it waits in (peers only), which checks apply (the topic for gossip, the four hello types for hello).
 */
export type Source =
  /** A gossip message on `topic`, from its propagation source `peer`. */
  | { via: 'gossip'; peer: string; topic: string }
  /** A record pulled from `peer` by anti-entropy sync (`peer` may be '' when the session does not name it). */
  | { via: 'sync'; peer: string }
  /** A federation record of `peer`'s hello, taken in only once its certificate passed (network-v1 §3 H5). */
  | { via: 'hello'; peer: string }
  /** POST /v1/records on the local API: the operator (`aip import`/`publish` through a running node). */
  | { via: 'api' }
  /** `aip import`/`publish`/`sync` with the store opened by the CLI itself. */
  | { via: 'import' }
  /** SiteNode.publish: a record this site made. */
  | { via: 'local' }
  /** A federation record the trust state had buffered and has now placed (aip-v1 §5.7): re-validated, then stored. */
  | { via: 'placed' }
  /** A chunk fetched from `peer` over /aip/share/1.0.0 (alignment-v1 §3). */
  | { via: 'share'; peer: string }

/** Sources that are peers: charged to the signer's limits and queued per family (network-v1 §7). */
export function fromPeer(s: Source): s is Extract<Source, { peer: string }> {
  return s.via === 'gossip' || s.via === 'sync' || s.via === 'hello' || s.via === 'share'
}

/** The label of a source in `aip_validation_outcomes_total{topic}`: the gossip topic, or the entrance's name. */
export function sourceLabel(s: Source): string {
  return s.via === 'gossip' ? s.topic : s.via
}

/** The outcome as the local API and the CLI report it (no decoded record). */
export function publicOutcome(o: AdmitOutcome): { action: AdmitOutcome['action']; code: AdmitCode; message?: string; id?: string } {
  const out: { action: AdmitOutcome['action']; code: AdmitCode; message?: string; id?: string } = { action: o.action, code: o.code }
  if (o.message !== undefined) out.message = o.message
  if (o.id !== undefined) out.id = o.id
  return out
}
