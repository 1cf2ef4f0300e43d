/** The site's signing key is the record layer's SigningKey: a 32-byte Ed25519 public key and its 32-byte seed. */
export type { SigningKey } from '../../protocol/index.ts'
