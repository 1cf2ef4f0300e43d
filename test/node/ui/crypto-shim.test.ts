/**
 * The browser bundle's Ed25519 verifier (node/ui/app/shims/crypto.ts, tabled [k]A) gives @noble/ed25519's strict
 * answer (`verify(…, {zip215: false})`) on valid signatures and on forgeries of every part: message, R, S, key.
 */
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { createHash } from 'node:crypto'
import * as ed from '@noble/ed25519'
import { sha512 } from '@noble/hashes/sha2.js'
import { createPublicKey, hash, preverify, verify } from '../../../node/ui/app/shims/crypto.ts'

ed.hashes.sha512 = sha512
const seeded = (label: string): Uint8Array => new Uint8Array(createHash('sha256').update(label).digest())
const SPKI_PREFIX = Buffer.from('302a300506032b6570032100', 'hex')
const L_BYTES = Buffer.from('edd3f55c1a631258d69cf7a2def9de1400000000000000000000000000000010', 'hex')

test('shim verify agrees with ed.verify (strict) on 3 keys × valid and forged signatures', () => {
  const keys = [0, 1, 2].map((i) => seeded(`key ${i}`))
  let cases = 0
  for (let i = 0; i < 40; i++) {
    const secret = keys[i % 3]
    const pub = ed.getPublicKey(secret)
    const key = createPublicKey({ key: Buffer.concat([SPKI_PREFIX, pub]) })
    const msg = seeded(`message ${i}`).subarray(0, 5 + i)
    const sig = ed.sign(msg, secret)
    const flip = (b: Uint8Array, at: number, bit: number): Uint8Array => { const c = Uint8Array.from(b); c[at] ^= bit; return c }
    const variants: Array<[Uint8Array, Uint8Array, Uint8Array, ReturnType<typeof createPublicKey>]> = [
      [msg, sig, pub, key],
      [flip(msg, i % msg.length, 1), sig, pub, key], // another message
      [msg, flip(sig, i % 32, 1 << (i % 8)), pub, key], // R changed
      [msg, flip(sig, 32 + (i % 31), 1 << (i % 8)), pub, key], // S changed
      [msg, Uint8Array.from([...sig.subarray(0, 32), ...L_BYTES]), pub, key], // S = L
      [msg, Uint8Array.from([...sig.subarray(0, 32), ...new Uint8Array(32)]), pub, key], // S = 0
      [msg, Uint8Array.from([...new Uint8Array(31).fill(0xff), 0x7f, ...sig.subarray(32)]), pub, key], // R non-canonical
      [msg, sig, ed.getPublicKey(keys[(i + 1) % 3]), createPublicKey({ key: Buffer.concat([SPKI_PREFIX, ed.getPublicKey(keys[(i + 1) % 3])]) })], // another key
    ]
    for (const [m, s, p, k] of variants) {
      let expected: boolean
      try { expected = ed.verify(s, m, p, { zip215: false }) } catch { expected = false }
      assert.equal(verify(null, m, k, s), expected, `case ${cases}`)
      cases++
    }
    assert.equal(verify(null, msg, key, sig), true)
  }
  assert.equal(cases, 320)
})

test('with the WebCrypto pass first, verify gives the same answers; a signature WebCrypto passed is bound to its key and message', async () => {
  const secret = seeded('key w'), other = seeded('key x')
  const pub = ed.getPublicKey(secret)
  const key = createPublicKey({ key: Buffer.concat([SPKI_PREFIX, pub]) })
  const cases = Array.from({ length: 12 }, (_, i) => {
    const msg = seeded(`web ${i}`)
    const sig = ed.sign(msg, secret)
    const bad = Uint8Array.from(sig)
    bad[40] ^= 4
    return { msg, sig, bad }
  })
  // WebCrypto (Node's here, the browser's in the bundle) passes the valid ones and none of the forged
  const passed = await preverify(cases.flatMap(({ msg, sig, bad }) => [{ key: pub, message: msg, signature: sig }, { key: pub, message: msg, signature: bad }]))
  assert.equal(passed, 12, 'this runtime has Ed25519 in WebCrypto')
  for (const { msg, sig, bad } of cases.slice(0, 6)) {
    assert.equal(verify(null, msg, key, sig), true)
    assert.equal(verify(null, msg, key, bad), false, 'a forgery is decided by the equation')
  }
  // a signature passed for (key, message) says nothing about another message or key: those go through the equation
  const [a, b] = [cases[6]!, cases[7]!]
  assert.equal(verify(null, b.msg, key, a.sig), false, 'another message')
  const otherKey = createPublicKey({ key: Buffer.concat([SPKI_PREFIX, ed.getPublicKey(other)]) })
  assert.equal(verify(null, b.msg, otherKey, b.sig), false, 'another key')
  assert.equal(await preverify([{ key: pub, message: a.msg, signature: new Uint8Array(63) }]), 0, 'a malformed signature is left to the equation')
})

test('shim sha256 is SHA-256', () => {
  const data = seeded('x')
  assert.deepEqual([...hash('sha256', data)], [...createHash('sha256').update(data).digest()])
})
