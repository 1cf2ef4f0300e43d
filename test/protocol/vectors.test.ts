import sodium from 'sodium-native'
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import * as ed from '@noble/ed25519'
import { buildVectors } from '../../scripts/gen-vectors.ts'
import { validateRecord, REJECT_CODES, IGNORE_CODES } from '../../protocol/validate.ts'
import { TrustState } from '../../protocol/trust.ts'
import { recordId } from '../../protocol/ids.ts'
import { parseEnvelope, sigStructure } from '../../protocol/cose.ts'
import { generateSigningKey, sign, verifySignature, verifySignatureOpenssl, VERIFIER } from '../../protocol/keys.ts'
import { merkleRoot, weightsLeaf, verifyInclusion } from '../../protocol/merkle.ts'
import { RECORD_TYPES } from '../../protocol/records/index.ts'

const DIR = new URL('../../specs/vectors/', import.meta.url)
const read = (name: string) => readFileSync(new URL(name, DIR), 'utf8')
const unhex = (s: string) => new Uint8Array(Buffer.from(s, 'hex'))
const hex = (b: Uint8Array) => Buffer.from(b).toString('hex')

interface Ctx {
  name: string
  now: number
  genesis: string
  /** IDs into the file's record_pool */
  records: string[]
  known?: string[]
}
interface V {
  description: string
  expected: string
  reason?: string
  context: Ctx
  type?: string
  encoded: string
  id: string
  public_key?: string
  signing_input?: string
  payload?: string
}

test('the committed vectors are exactly what scripts/gen-vectors.ts generates', () => {
  for (const [name, text] of buildVectors()) assert.equal(read(name), text, `${name} is stale: run node --import tsx scripts/gen-vectors.ts`)
})

test('every committed record vector gives its expected outcome', () => {
  const f = JSON.parse(read('records.json')) as { record_pool: Record<string, string>; vectors: V[] }
  assert.ok(f.vectors.length >= 40)
  const seen = new Set<string>()
  const acceptedTypes = new Set<string>()
  for (const v of f.vectors) {
    const c = v.context
    const trust = new TrustState(c.genesis)
    for (const id of c.records) {
      const bytes = unhex(f.record_pool[id]!)
      assert.equal(recordId(bytes), id)
      const o = validateRecord(bytes, { now: c.now, trust })
      assert.ok(o.record, `context ${c.name} record must decode`)
      trust.apply(o.record)
    }
    const known = new Set(c.known ?? [])
    const bytes = unhex(v.encoded)
    const o = validateRecord(bytes, { now: c.now, trust, isKnown: (id) => known.has(id) })
    assert.equal(o.action, v.expected, v.description)
    assert.equal(o.code, v.reason ?? 'ok', v.description)
    assert.equal(recordId(bytes), v.id)
    seen.add(o.code)
    if (v.expected === 'accept') {
      const env = parseEnvelope(bytes)
      assert.equal(hex(env.kid), v.public_key)
      assert.equal(hex(env.payload), v.payload)
      assert.equal(hex(sigStructure(env.protectedBytes, env.payload)), v.signing_input)
      assert.equal(o.record!.type, v.type)
      acceptedTypes.add(v.type!)
    }
  }
  for (const code of [...REJECT_CODES, ...IGNORE_CODES]) assert.ok(seen.has(code), `no vector exercises ${code}`)
  for (const t of RECORD_TYPES) assert.ok(acceptedTypes.has(t), `no accept vector for ${t}`)
})

test('the mixed-order vectors really separate the cofactored and cofactorless equations', () => {
  const f = JSON.parse(read('records.json')) as { vectors: V[] }
  const mixed = f.vectors.filter((v) => v.description.includes('mixed-order'))
  assert.equal(mixed.length, 2)
  for (const v of mixed) {
    const env = parseEnvelope(unhex(v.encoded))
    const msg = sigStructure(env.protectedBytes, env.payload)
    // noble's verify uses the cofactored equation: both pass there; only one passes ours.
    assert.equal(ed.verify(env.signature, msg, env.kid, { zip215: false }), true)
    assert.equal(verifySignature(env.kid, msg, env.signature), v.expected === 'accept' ? 'ok' : 'bad_signature')
  }
})

test('Ed25519 edge cases give the committed outcomes', () => {
  const f = JSON.parse(read('ed25519-edge-cases.json')) as { vectors: { description: string; message: string; public_key: string; signature: string; expected: string; reason?: string }[] }
  assert.equal(f.vectors.length, 12)
  for (const v of f.vectors) {
    const r = verifySignature(unhex(v.public_key), unhex(v.message), unhex(v.signature))
    assert.equal(r === 'ok' ? 'accept' : 'reject', v.expected)
    if (r !== 'ok') assert.equal(r, v.reason)
    // the OpenSSL fallback verifier gives the same outcome, and so does raw libsodium (spec §3.3)
    assert.equal(verifySignatureOpenssl(unhex(v.public_key), unhex(v.message), unhex(v.signature)), r, v.description)
    assert.equal(sodium.crypto_sign_verify_detached(unhex(v.signature), unhex(v.message), unhex(v.public_key)), r === 'ok', v.description)
  }
})

test('the hot path verifies with libsodium here, and agrees with the OpenSSL fallback on valid, tampered and malleated signatures', () => {
  assert.equal(VERIFIER, 'libsodium', 'sodium-native\'s prebuilt addon did not load: signatures fall back to OpenSSL (~2x slower)')
  const rnd = (n: number, seed: number): Uint8Array => Uint8Array.from({ length: n }, (_, i) => (Math.imul(seed + i, 2654435761) >>> 24) & 0xff)
  let accepted = 0
  for (let i = 0; i < 200; i++) {
    const key = generateSigningKey(rnd(32, i * 977))
    const msg = rnd(1 + (i * 37) % 1500, i)
    const sig = sign(key, msg)
    const variants = [sig, Uint8Array.from(sig, (b, j) => (j === i % 64 ? b ^ (1 << (i % 8)) : b))]
    for (const s of variants) {
      const a = verifySignature(key.publicKey, msg, s)
      assert.equal(a, verifySignatureOpenssl(key.publicKey, msg, s), `key ${i}`)
      if (a === 'ok') accepted++
    }
  }
  assert.equal(accepted, 200, 'every genuine signature verifies and no flipped bit does')
})

test('weights-root vector recomputes', () => {
  const f = JSON.parse(read('weights-root.json')) as { vectors: { tensors: { name: string; dtype: string; shape: number[]; sha256: string }[]; ordered_names: string[]; leaves: string[]; weights_root: string; inclusion_proofs: { index: number; proof: string[] }[] } }
  const w = f.vectors
  const leaves = w.ordered_names.map((n) => {
    const t = w.tensors.find((x) => x.name === n)!
    return weightsLeaf(t.name, t.dtype, t.shape, unhex(t.sha256))
  })
  assert.deepEqual(leaves.map(hex), w.leaves)
  assert.equal(hex(merkleRoot(leaves)), w.weights_root)
  for (const p of w.inclusion_proofs) assert.ok(verifyInclusion(leaves[p.index]!, p.index, leaves.length, p.proof.map(unhex), unhex(w.weights_root)))
})

test('cbor.json: each input decodes, or fails with the committed code', async () => {
  const { decodeCanonical, encodeCanonical } = await import('../../protocol/cbor.ts')
  const { ProtocolError } = await import('../../protocol/errors.ts')
  const f = JSON.parse(read('cbor.json')) as { vectors: { encoded: string; expected: string; description: string }[] }
  assert.ok(f.vectors.length >= 40)
  for (const v of f.vectors) {
    let got = 'valid'
    try {
      const bytes = unhex(v.encoded)
      assert.deepEqual(encodeCanonical(decodeCanonical(bytes)), bytes)
    } catch (e) {
      if (!(e instanceof ProtocolError)) throw e
      got = e.code === 'unsupported' ? 'malformed' : e.code === 'limit' ? 'oversize' : e.code
    }
    assert.equal(got, v.expected, v.description)
  }
})

test('the worked example in the spec is a committed accept vector, byte for byte', () => {
  const spec = readFileSync(new URL('../../specs/aip-v1.md', import.meta.url), 'utf8')
  const appendix = spec.slice(spec.indexOf('## Appendix A'))
  const f = JSON.parse(read('records.json')) as { vectors: V[] }
  const v = f.vectors.find((x) => x.expected === 'accept' && x.type === 'CharterApproval')!
  assert.ok(appendix.includes(v.id))
  // Every hex run of the annotated dump, in order, reassembles the envelope.
  const dump = appendix.slice(appendix.indexOf('```') + 3, appendix.indexOf('```', appendix.indexOf('```') + 3))
  const bytes = dump
    .split('\n')
    .map((line) => line.trim().replace(/\s{2,}.*$/, '')) // drop the comment column
    .join(' ')
    .split(/\s+/)
    .filter((t) => /^[0-9a-f]+$/.test(t) && t.length % 2 === 0)
    .join('')
  assert.equal(bytes, v.encoded)
})
