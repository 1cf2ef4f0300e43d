/** The part of sodium-native (libsodium bindings, prebuilt addon) that protocol/keys.ts uses. */
declare module 'sodium-native' {
  const sodium: {
    /** libsodium crypto_sign_verify_detached: Ed25519 (RFC 8032), cofactorless, S < L, canonical non-small-order key, R not small order. */
    crypto_sign_verify_detached(signature: Uint8Array, message: Uint8Array, publicKey: Uint8Array): boolean
  }
  export default sodium
}
