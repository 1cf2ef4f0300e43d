/**
 * Record IDs as the store knows them (CIDv1, raw, sha2-256, base32 text) and as sync reconciles them (the 32-byte
 * SHA-256 digest inside the CID; specs/sync-v1.md §2).
 */
import { createHash } from 'node:crypto'
import { CID } from 'multiformats/cid'
import * as Digest from 'multiformats/hashes/digest'

const RAW = 0x55
const SHA2_256 = 0x12

/** The digest of a record ID; throws on an ID that is not a raw sha2-256 CID. */
export function digestOfId(id: string): Uint8Array {
  const cid = CID.parse(id)
  if (cid.code !== RAW || cid.multihash.code !== SHA2_256 || cid.multihash.digest.length !== 32) {
    throw new Error(`record ID ${id} is not a raw sha2-256 CID`)
  }
  return cid.multihash.digest
}

/** The record ID (CID text) of a digest. */
export function idOfDigest(digest: Uint8Array): string {
  return CID.createV1(RAW, Digest.create(SHA2_256, digest)).toString()
}

/** The digest of a record's envelope bytes: what its ID commits to. */
export function digestOfRecord(bytes: Uint8Array): Uint8Array {
  return new Uint8Array(createHash('sha256').update(bytes).digest())
}
