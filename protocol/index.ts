/**
 * The AIP record layer (spec: specs/aip-v1.md). Pure: no I/O, no clock — time is passed in.
 */
export { encodeCanonical, decodeCanonical, isMap, compareKeys } from './cbor.ts'
export type { CborValue, CborMap, DecodeLimits } from './cbor.ts'
export { merkleRoot, inclusionProof, verifyInclusion, MerkleBuilder, weightsLeaf, leafHash, nodeHash, sortTensorNames } from './merkle.ts'
export { ProtocolError } from './errors.ts'
export type { ProtocolErrorCode } from './errors.ts'
export * from './constants.ts'
