/**
 * The site's signing key. Structurally the record layer's SigningKey (protocol/keys.ts): a 32-byte Ed25519 public
 * key and the 32-byte seed it derives from.
 */
export interface SigningKey {
  publicKey: Uint8Array
  secretKey: Uint8Array
}
