import { test } from 'node:test'
import assert from 'node:assert/strict'
import * as ed from '@noble/ed25519'
import { generateSigningKey, sign, verifySignature, checkPublicKey, scalarIsCanonical, SMALL_ORDER_ENCODINGS } from '../../protocol/keys.ts'

const L = 2n ** 252n + 27742317777372353535851937790883648493n
const le = (n: bigint) => Uint8Array.from({ length: 32 }, (_, i) => Number((n >> BigInt(8 * i)) & 0xffn))

test('the small-order list is exactly the 8 torsion points, canonically encoded', () => {
  assert.equal(new Set(SMALL_ORDER_ENCODINGS).size, 8)
  for (const h of SMALL_ORDER_ENCODINGS) {
    const p = ed.Point.fromHex(h, false)
    assert.ok(p.isSmallOrder())
    assert.equal(p.toHex(), h)
    assert.equal(checkPublicKey(Buffer.from(h, 'hex')), 'small_order')
  }
})

test('seeded keys are deterministic; signatures verify natively; tampering fails', () => {
  const k = generateSigningKey(new Uint8Array(32).fill(7))
  assert.deepEqual(generateSigningKey(new Uint8Array(32).fill(7)).publicKey, k.publicKey)
  const msg = new TextEncoder().encode('hello')
  const sig = sign(k, msg)
  assert.equal(verifySignature(k.publicKey, msg, sig), 'ok')
  assert.equal(verifySignature(k.publicKey, new TextEncoder().encode('hellp'), sig), 'bad_signature')
  // S + L encodes the same scalar mod L: refused (malleability).
  const s = sig.slice(32).reduceRight((acc, b) => (acc << 8n) | BigInt(b), 0n)
  const mall = new Uint8Array([...sig.slice(0, 32), ...le(s + L)])
  assert.equal(verifySignature(k.publicKey, msg, mall), 'bad_signature')
  assert.equal(scalarIsCanonical(le(L - 1n)), true)
  assert.equal(scalarIsCanonical(le(L)), false)
  // A non-canonical key encoding (y = p) is refused before verification.
  const p = 2n ** 255n - 19n
  assert.equal(checkPublicKey(le(p)), 'non_canonical')
  assert.equal(verifySignature(le(p), msg, sig), 'weak_key')
})
