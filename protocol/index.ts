/**
 * The AIP record layer (spec: specs/aip-v1.md). Pure: no I/O, no clock — time is passed in.
 *
 * @example
 * ```ts
 * import { generateSigningKey, devFederation, createRecord, TrustState, validateRecord } from '../protocol/index.ts'
 * const root = generateSigningKey(), site = generateSigningKey()
 * const fed = devFederation({ nation: 'CH', rootKey: root, siteKey: site, created: Date.now() })
 * const trust = new TrustState(fed.charter.id)
 * trust.apply(fed.charter); trust.apply(fed.certificate)
 * const rec = createRecord('Retraction', { target: parseRecordId(someRecordId), reason: 'wrong result' }, site, Date.now())
 * validateRecord(rec.bytes, { now: Date.now(), trust })   // { action: 'accept', code: 'ok', record }
 * ```
 */
export { encodeCanonical, decodeCanonical, isMap, compareKeys, setOwn } from './cbor.ts'
export type { CborValue, CborMap, DecodeLimits } from './cbor.ts'
export { merkleRoot, inclusionProof, verifyInclusion, MerkleBuilder, weightsLeaf, leafHash, nodeHash, sortTensorNames } from './merkle.ts'
export { subtreesOf, rangeHash, inclusionPath, consistencyProof, rootFromInclusionProof, verifyInclusionProof, rootFromConsistencyProof, verifyConsistencyProof, firstRootOfConsistencyProof, MerkleProofError } from './merkle.ts'
export type { SubtreeHash, ProofFailure } from './merkle.ts'
export { ProtocolError } from './errors.ts'
export { isLanguageTag, REGISTERED_VARIANTS, GRANDFATHERED, REGISTRY_FILE_DATE } from './language-tag.ts'
export type { ProtocolErrorCode } from './errors.ts'
export * from './constants.ts'
export { generateSigningKey, sign, verifySignature, verifySignatureNoble, verifySignatureOpenssl, VERIFIER, checkPublicKey, scalarIsCanonical } from './keys.ts'
export type { SigningKey, KeyCheck } from './keys.ts'
export { recordId, recordCid, recordDigest, recordIdOfDigest, parseRecordId, isRecordCid, link } from './ids.ts'
export { parseEnvelope, sigStructure, protectedHeader, envelope } from './cose.ts'
export type { ParsedEnvelope } from './cose.ts'
export { createRecord, parsePayload, recordTypeOf, CONTENT_TYPES, RECORD_SPECS, RECORD_TYPES, TOPIC_FAMILIES, TRUST_TYPES, FEDERATION_RECORD_TYPES, HELLO_TYPES, isRecordType, isTrustType, isFederationType, specOf } from './records/index.ts'
export type { RecordType, BodyOf, BodyMap, DecodedRecord, SignerRule, RecordSpec, TopicFamily, IndexKey } from './records/index.ts'
export type { FederationCharterBody, CharterApprovalBody, CharterMember } from './records/charter.ts'
export type { SiteCertificateBody, Role } from './records/site-certificate.ts'
export { ROLES } from './records/site-certificate.ts'
export type { RevocationBody } from './records/revocation.ts'
export type { RetractionBody } from './records/retraction.ts'
export type { ModelCommitmentBody } from './records/model-commitment.ts'
export type { TuningRecordBody } from './records/tuning-record.ts'
export type { BenchmarkSuiteBody, BenchmarkSuiteChunkBody, SuiteItem } from './records/benchmark-suite.ts'
export type { TranscriptBody, TranscriptChunkBody, TranscriptEntry } from './records/transcript.ts'
export type { BenchmarkResultBody, ScoreRow } from './records/benchmark-result.ts'
export type { AlignmentBundleBody, AlignmentChunkBody, AlignmentItem, AlignmentKind, Audience, SharingGroup, TlpLabel, Turn } from './records/alignment-bundle.ts'
export { ALIGNMENT_KINDS, RESTRICTED_LABELS, TLP_LABELS, isRestricted } from './records/alignment-bundle.ts'
export type { AlignmentReviewBody, ReviewDecision } from './records/alignment-review.ts'
export type { AuditCheckpointBody, AuditEquivocationBody } from './records/audit.ts'
export { equivocationBody, equivocationAlert, originNation, verifyLogNote } from './records/audit.ts'
export * from './releasability.ts'
export type { ParamValue } from './records/schema.ts'
export { decodeRecord, validateRecord, authorize, feedsTrust, REJECT_CODES, IGNORE_CODES } from './validate.ts'
export type { Action, Outcome, ValidationCode, ValidationContext, RejectCode, IgnoreCode } from './validate.ts'
export { TrustState, TRUST_LIMITS, retractionWithdraws } from './trust.ts'
export type { CharterInfo, EffectiveCharter, Certification, SiteStatus, RecordRef, TrustLimits } from './trust.ts'
export { devFederation, DEV_CERTIFICATE_VALIDITY_MS } from './dev.ts'
export type { DevFederation } from './dev.ts'
export * from './sync/index.ts'
export * from './share.ts'
export * from './audit/index.ts'
