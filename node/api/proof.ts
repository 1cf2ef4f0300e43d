/**
 * Before a CLI command sends the API token to the address in DIR/node.json, the process there proves it holds the
 * token (node/README.md § CLI and a running node): the client sends a fresh nonce, unauthenticated, to
 * GET /v1/proof; the node answers HMAC-SHA256(token, PROOF_LABEL ‖ nonce ‖ its own HOST:PORT). Whatever now holds
 * a stale port cannot answer without the token, so it never receives it; a relay to this site's real node (at
 * another port) is caught because the node binds the proof to the address it listens on.
 */
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto'

/** Domain separation for the proof's MAC input. */
export const PROOF_LABEL = 'aip-api-proof/1'
/** Nonce length, bytes (hex on the wire). */
export const PROOF_NONCE_BYTES = 32
export const PROOF_NONCE = new RegExp(`^[0-9a-f]{${PROOF_NONCE_BYTES * 2}}$`)

export function apiProof(token: string, nonce: string, host: string, port: number): string {
  return createHmac('sha256', token).update(`${PROOF_LABEL}\n${nonce}\n${host}:${port}`).digest('hex')
}

export function newNonce(): string {
  return randomBytes(PROOF_NONCE_BYTES).toString('hex')
}

/** Constant-time comparison of a received proof with the expected one. */
export function proofMatches(received: unknown, expected: string): boolean {
  return typeof received === 'string' && received.length === expected.length &&
    timingSafeEqual(Buffer.from(received), Buffer.from(expected))
}
