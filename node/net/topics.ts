/**
 * Gossip topics: one per record family (specs/network-v1.md §4), and the message-id rule (§5).
 */
import { hash } from 'node:crypto'
import { RECORD_SPECS, RECORD_TYPES } from '../../protocol/index.ts'
import type { TopicFamily } from '../../protocol/index.ts'

export const TOPIC_FEDERATION = '/aip/1/federation'
export const TOPIC_RESULTS = '/aip/1/results'
export const TOPIC_ALIGNMENT = '/aip/1/alignment'
export const TOPICS: readonly string[] = [TOPIC_FEDERATION, TOPIC_RESULTS, TOPIC_ALIGNMENT]

export type Topic = typeof TOPIC_FEDERATION | typeof TOPIC_RESULTS | typeof TOPIC_ALIGNMENT

/** §4 table: the topic of each record family; which family a type belongs to is the registry's (protocol/records). */
export const TOPIC_OF_FAMILY: Readonly<Record<TopicFamily, Topic>> = {
  federation: TOPIC_FEDERATION,
  results: TOPIC_RESULTS,
  alignment: TOPIC_ALIGNMENT,
}

/** The topic that carries each record type, derived from the registry. Unknown types have no topic. */
const TOPIC_OF_TYPE: ReadonlyMap<string, Topic> = new Map(RECORD_TYPES.map((t) => [t, TOPIC_OF_FAMILY[RECORD_SPECS[t].family]]))

/** Normalises 'benchmark-result', 'BenchmarkResult' or 'benchmark_result' to 'BenchmarkResult'. */
function pascal(type: string): string {
  return type.split(/[-_ ]/).map((w) => w.charAt(0).toUpperCase() + w.slice(1)).join('')
}

/** §4 The topic a record of this type is published on, or undefined for a type with no topic. */
export function topicForType(type: string): Topic | undefined {
  return TOPIC_OF_TYPE.get(type) ?? TOPIC_OF_TYPE.get(pascal(type))
}

/** CIDv1 prefix: version 1, multicodec raw (0x55), multihash sha2-256 (0x12) of 32 bytes (0x20). */
const CID_RAW_SHA256_PREFIX = Uint8Array.of(0x01, 0x55, 0x12, 0x20)

/**
 * §5 "The message id of a gossip message is the binary CIDv1 of its data": the record ID (aip-v1 §IDs) in binary
 * form — cidv1(raw, sha2-256(envelope bytes)). Computed from the data alone, so every relay agrees on it.
 */
export function messageIdOf(data: Uint8Array): Uint8Array {
  const id = new Uint8Array(36)
  id.set(CID_RAW_SHA256_PREFIX, 0)
  id.set(hash('sha256', data, 'buffer'), 4) // one-shot: no Hash object per message
  return id
}

/** Internal string form of a message id (base64 of the binary CID): a cache key, never shown to users. */
export function messageIdToString(id: Uint8Array): string {
  return Buffer.from(id.buffer, id.byteOffset, id.byteLength).toString('base64')
}
