/**
 * Record IDs (spec §3.4): CIDv1, multicodec raw (0x55), multihash sha2-256 over the full envelope bytes (from the
 * 0xD2 tag byte on), written in multibase base32 lower case ('bafkrei…').
 */
import { createHash, hash } from 'node:crypto'
import { CID } from 'multiformats/cid'
import * as Digest from 'multiformats/hashes/digest'
import { RAW_CODEC, SHA2_256_CODE } from './constants.ts'
import { ProtocolError } from './errors.ts'

/** The CID of an envelope. */
export function recordCid(envelopeBytes: Uint8Array): CID {
  const digest = new Uint8Array(createHash('sha256').update(envelopeBytes).digest())
  return CID.createV1(RAW_CODEC, Digest.create(SHA2_256_CODE, digest))
}

const BASE32 = 'abcdefghijklmnopqrstuvwxyz234567'
/** CIDv1 prefix: version 1, codec raw, multihash sha2-256, 32-byte digest. */
const CID_PREFIX = Uint8Array.of(0x01, RAW_CODEC, SHA2_256_CODE, 0x20)

const BASE32_CODES = Uint8Array.from(BASE32, (c) => c.charCodeAt(0))

/**
 * RFC 4648 base32, lower case, no padding (the multibase 'b' alphabet), after `prefix` (one ASCII character).
 * On the hot path (every received record's ID): the characters go into one buffer and become one flat string, not
 * ~58 appends building a rope that is flattened again when the ID is first used as a map key.
 */
function base32(prefix: string, bytes: Uint8Array): string {
  const chars = new Uint8Array(1 + Math.ceil((bytes.length * 8) / 5))
  chars[0] = prefix.charCodeAt(0)
  let o = 1
  let buffer = 0
  let bits = 0
  for (let i = 0; i < bytes.length; i++) {
    buffer = ((buffer << 8) | bytes[i]!) & 0xfff
    bits += 8
    while (bits >= 5) {
      chars[o++] = BASE32_CODES[(buffer >>> (bits - 5)) & 31]!
      bits -= 5
    }
  }
  if (bits > 0) chars[o] = BASE32_CODES[(buffer << (5 - bits)) & 31]!
  return String.fromCharCode.apply(null, chars as unknown as number[])
}

/** The record ID string of an envelope: 'b' + base32(01 55 12 20 || sha256(envelope)), 59 characters ('bafkrei…'). */
export function recordId(envelopeBytes: Uint8Array): string {
  const cid = new Uint8Array(36)
  cid.set(CID_PREFIX)
  cid.set(hash('sha256', envelopeBytes, 'buffer'), 4)
  return base32('b', cid)
}

/** The record ID of a sha2-256 digest (32 bytes): the inverse of recordDigest. */
export function recordIdOfDigest(digest: Uint8Array): string {
  const cid = new Uint8Array(36)
  cid.set(CID_PREFIX)
  cid.set(digest, 4)
  return base32('b', cid)
}

const BASE32_VALUES = new Int8Array(128).fill(-1)
for (let i = 0; i < BASE32.length; i++) BASE32_VALUES[BASE32.charCodeAt(i)] = i

/**
 * The sha2-256 digest a record ID names (32 bytes), or undefined when `id` is not the canonical form recordId
 * writes ('b', 58 lower-case base32 characters of 01 55 12 20 || digest, zero padding bits). Compact binary keys of
 * the record store are built from it.
 */
export function recordDigest(id: string): Uint8Array | undefined {
  if (id.length !== 59 || id.charCodeAt(0) !== 0x62) return undefined
  const cid = new Uint8Array(36)
  let o = 0
  let buffer = 0
  let bits = 0
  for (let i = 1; i < 59; i++) {
    const c = id.charCodeAt(i)
    const v = c < 128 ? BASE32_VALUES[c]! : -1
    if (v < 0) return undefined
    buffer = ((buffer << 5) | v) & 0xfff
    bits += 5
    if (bits >= 8) {
      cid[o++] = (buffer >>> (bits - 8)) & 0xff
      bits -= 8
    }
  }
  // 58 characters carry 290 bits: 288 of them are the CID, the last 2 must be zero (canonical)
  if ((buffer & ((1 << bits) - 1)) !== 0) return undefined
  for (let i = 0; i < 4; i++) if (cid[i] !== CID_PREFIX[i]) return undefined
  return cid.subarray(4)
}

/** Parses a record ID; throws ProtocolError('bad_id') for anything but the canonical base32 form of a record CID. */
export function parseRecordId(id: string): CID {
  let cid: CID
  try {
    cid = CID.parse(id)
  } catch {
    throw new ProtocolError('bad_id', `not a CID: ${JSON.stringify(id.slice(0, 80))}`)
  }
  if (!isRecordCid(cid) || cid.toString() !== id) throw new ProtocolError('bad_id', `not a canonical AIP record ID: ${id}`)
  return cid
}

/** True for a CIDv1 raw sha2-256 with a 32-byte digest: the only CIDs AIP records link to (spec §3.4). */
export function isRecordCid(cid: CID): boolean {
  return cid.version === 1 && cid.code === RAW_CODEC && cid.multihash.code === SHA2_256_CODE && cid.multihash.size === 32
}

/** A record ID as a CID link value (for record bodies). */
export function link(id: string): CID {
  return parseRecordId(id)
}
