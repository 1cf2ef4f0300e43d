/**
 * One key per site (issue 2 §Identities): the site's Ed25519 seed is both its record signer and its libp2p identity.
 * These helpers give libp2p the same key, so the PeerId Noise authenticates equals the certificate's site key.
 */
import { generateKeyPairFromSeed, publicKeyFromRaw } from '@libp2p/crypto/keys'
import { peerIdFromPrivateKey, peerIdFromPublicKey } from '@libp2p/peer-id'
import type { Ed25519PrivateKey, PeerId } from '@libp2p/interface'
import type { SigningKey } from './signing-key.ts'

/** The libp2p private key for the site key (pass as `privateKey` to createLibp2p). */
export function libp2pPrivateKey(key: SigningKey): Promise<Ed25519PrivateKey> {
  return generateKeyPairFromSeed('Ed25519', key.secretKey)
}

export async function peerIdOfKey(key: SigningKey): Promise<PeerId> {
  return peerIdFromPrivateKey(await libp2pPrivateKey(key))
}

/** The PeerId of any 32-byte Ed25519 public key (a certificate's site key). */
export function peerIdOfPublicKey(publicKey: Uint8Array): PeerId {
  return peerIdFromPublicKey(publicKeyFromRaw(publicKey))
}
