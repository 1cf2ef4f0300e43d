import { test } from 'node:test'
import assert from 'node:assert/strict'
import { generateSigningKey } from '../../../protocol/keys.ts'
import {
  AuditError, cosigner, cosignatureVerifier, decodeBundle, ed25519Signer, ed25519Verifier, encodeBundle, encodeEntry, encodeTileIndex, formatCheckpoint,
  formatNote, formatVerifierKey, parseCheckpoint, parseEntry, parseNote, parseTilePath, parseVerifierKey, signNote, tilePath, tilesOfTree, verifyNote,
  checkAdvance, equivocates, SIG_TYPE_ED25519, MAX_NOTE_SIGNATURES,
} from '../../../protocol/audit/index.ts'
import type { AuditEntry } from '../../../protocol/audit/index.ts'
import { encodeCanonical } from '../../../protocol/cbor.ts'
import { consistencyProof, leafHash, rangeHash, subtreesOf } from '../../../protocol/merkle.ts'

const key = generateSigningKey(new Uint8Array(32).fill(7))
const other = generateSigningKey(new Uint8Array(32).fill(8))
const code = (fn: () => unknown) => {
  try {
    fn()
  } catch (e) {
    if (e instanceof AuditError) return e.code
    throw e
  }
  return 'ok'
}
const root = new Uint8Array(32).fill(3)

test('signed note: sign, format, parse, verify; the C2SP example key ID layout', () => {
  const text = formatCheckpoint({ origin: 'example.com/log', size: 5, root, extensions: [] })
  assert.equal(text, `example.com/log\n5\n${Buffer.from(root).toString('base64')}\n`)
  const note = signNote(text, ed25519Signer('example.com/log', key))
  const wire = formatNote(note)
  assert.match(wire, /\n\n— example\.com\/log [A-Za-z0-9+/]{91}=\n$/)
  const parsed = parseNote(wire)
  assert.deepEqual(verifyNote(parsed, [ed25519Verifier('example.com/log', key.publicKey)]).map((v) => v.name), ['example.com/log'])
  assert.equal(code(() => verifyNote(parsed, [ed25519Verifier('example.com/log', other.publicKey)])), 'unverified')
  assert.equal(code(() => verifyNote(parseNote(wire.replace('\n5\n', '\n6\n')), [ed25519Verifier('example.com/log', key.publicKey)])), 'bad_signature')
  const vkey = formatVerifierKey('example.com/log', SIG_TYPE_ED25519, key.publicKey)
  assert.equal(parseVerifierKey(vkey).keyId, parsed.signatures[0]!.keyId)
  assert.equal(code(() => parseVerifierKey(vkey.replace(/\+[0-9a-f]{8}\+/, '+00000000+'))), 'bad_vkey')
  assert.equal(code(() => parseVerifierKey('a b+00000000+AQ==')), 'bad_vkey')
})

test('hostile notes get a code, never a crash', () => {
  const good = formatNote(signNote('x\n', ed25519Signer('n', key)))
  const cases: [string | Uint8Array, string][] = [
    ['', 'malformed_note'], ['x\n', 'malformed_note'], ['x\n\n', 'malformed_note'], ['x\n\n— n AAAA\n', 'malformed_note'],
    [good.replace('— ', '-- '), 'malformed_note'], [good.replace('\n\n', '\n\t\n'), 'malformed_note'], [Uint8Array.of(0x78, 0x0a, 0x0a, 0xff), 'malformed_note'],
    [good.slice(0, -1), 'malformed_note'], [good.replace('— n ', '— n+1 '), 'malformed_note'], [good.replace(/=\n$/, '\n'), 'malformed_note'],
    ['x\n\n' + '— n AAAAAAA=\n'.repeat(MAX_NOTE_SIGNATURES + 1), 'too_many_signatures'], ['x'.repeat(70_000), 'limit'],
  ]
  for (const [input, expected] of cases) assert.equal(code(() => parseNote(input)), expected, JSON.stringify(input).slice(0, 60))
})

test('cosignature/v1: timestamped, over "cosignature/v1\\ntime T\\n" + text; the log key does not verify it', () => {
  const text = formatCheckpoint({ origin: 'aip-audit/CH/00', size: 9, root, extensions: [] })
  const c = cosigner('w.example/1', other)
  const sig = c.cosign(new TextEncoder().encode(text), 1_700_000_000)
  assert.equal(sig.length, 72)
  assert.equal(Buffer.from(sig.subarray(0, 8)).readBigUInt64BE(), 1_700_000_000n)
  const note = signNote(text, ed25519Signer('aip-audit/CH/00', key))
  note.signatures.push({ name: c.name, keyId: c.keyId, signature: sig })
  const parsed = parseNote(formatNote(note))
  assert.deepEqual(verifyNote(parsed, [cosignatureVerifier('w.example/1', other.publicKey)]).map((v) => v.name), ['w.example/1'])
  // an Ed25519 (0x01) verifier of the same name and key has another key ID: the cosignature is ignored, not accepted
  assert.equal(code(() => verifyNote(parsed, [ed25519Verifier('w.example/1', other.publicKey)])), 'unverified')
  const bumped = Uint8Array.from(sig)
  bumped[7]! ^= 1
  assert.equal(cosignatureVerifier('w.example/1', other.publicKey).verify(new TextEncoder().encode(text), bumped), false)
})

test('checkpoint body: strict parse', () => {
  const b64 = Buffer.from(root).toString('base64')
  assert.deepEqual(parseCheckpoint(`o\n0\n${b64}\n`), { origin: 'o', size: 0, root, extensions: [] })
  assert.deepEqual(parseCheckpoint(`o\n1\n${b64}\next\n`).extensions, ['ext'])
  for (const bad of [`o\n01\n${b64}\n`, `o\n-1\n${b64}\n`, `o\n1\n${b64}`, `o o\n1\n${b64}\n`, `o\n1\nAAAA\n`, `o\n1\n${b64}\n\n`, `o\n9007199254740992\n${b64}\n`, 'o\n1\n']) {
    assert.equal(code(() => parseCheckpoint(bad)), 'malformed_checkpoint', JSON.stringify(bad))
  }
})

test('tile paths: encode, parse, the tiles of a tree (tlog-tiles example of 70,000)', () => {
  assert.equal(encodeTileIndex(1234067), 'x001/x234/067')
  assert.equal(encodeTileIndex(0), '000')
  assert.deepEqual(parseTilePath('tile/entries/x001/000.p/5'), { level: 'entries', index: 1000, width: 5 })
  for (const bad of ['tile/0/1234', 'tile/0/x000/001', 'tile/0/000.p/256', 'tile//000', '../tile/0/000', 'tile/0/000/']) assert.equal(code(() => parseTilePath(bad)), 'bad_tile_path', bad)
  const t = tilesOfTree(70_000)
  assert.equal(t.filter((x) => x.level === 0 && x.width === 256).length, 273)
  assert.deepEqual(t.filter((x) => x.width < 256).map(tilePath), ['tile/0/273.p/112', 'tile/1/001.p/17', 'tile/2/000.p/1'])
  assert.deepEqual(tilesOfTree(256).map(tilePath), ['tile/0/000', 'tile/1/000.p/1'])
})

test('entry bundles: uint16 length prefixes; a wrong width or truncation is bad_tile', () => {
  const es = [Uint8Array.of(1), new Uint8Array(300), new Uint8Array(0)]
  const b = encodeBundle(es)
  assert.deepEqual(decodeBundle(b, 3), es)
  assert.equal(code(() => decodeBundle(b, 2)), 'bad_tile')
  assert.equal(code(() => decodeBundle(b.subarray(0, b.length - 1), 3)), 'bad_tile')
})

test('entries: closed maps per kind; hostile encodings are malformed_entry', () => {
  const e: AuditEntry = { kind: 'record', time: 5, 'aip.record.id': 'bafy', 'aip.record.type': 'BenchmarkResult', 'aip.record.direction': 'refused', 'aip.record.outcome': 'bad_signature' }
  assert.deepEqual(parseEntry(encodeEntry(e)), e)
  const bad = [
    encodeCanonical({ v: 1, kind: 'record', time: 5 }), encodeCanonical({ v: 2, kind: 'egress', time: 1, 'aip.egress.event': 'x', 'aip.egress.peer': 'p' }),
    encodeCanonical({ v: 1, kind: 'egress', time: 1, 'aip.egress.event': 'x', 'aip.egress.peer': 'p', extra: 1 }), encodeCanonical([1, 2]),
    Uint8Array.of(0xa1, 0x61, 0x76), encodeCanonical({ v: 1, kind: 'nope', time: 1 }),
  ]
  for (const b of bad) assert.equal(code(() => parseEntry(b)), 'malformed_entry')
  assert.equal(code(() => parseEntry(new Uint8Array(9000))), 'limit')
})

test('witness rules: advance only with a valid consistency proof; equivocation', () => {
  const H = Array.from({ length: 30 }, (_, i) => leafHash(Uint8Array.of(i)))
  const sub = subtreesOf(H)
  const cp = (n: number, r = rangeHash(sub, 0, n)) => ({ origin: 'o', size: n, root: r, extensions: [] })
  assert.deepEqual(checkAdvance(undefined, cp(10), []), { ok: true })
  assert.deepEqual(checkAdvance(cp(10), cp(20), consistencyProof(sub, 10, 20)), { ok: true })
  assert.equal((checkAdvance(cp(20), cp(10), []) as { code: string }).code, 'rollback')
  assert.equal((checkAdvance(cp(10), cp(20, root), consistencyProof(sub, 10, 20)) as { code: string }).code, 'inconsistent')
  assert.equal((checkAdvance(cp(10), { ...cp(20), origin: 'p' }, []) as { code: string }).code, 'origin_mismatch')
  assert.equal(equivocates(cp(10), cp(10, root)), true)
  assert.equal(equivocates(cp(10), cp(10)), false)
  assert.equal(equivocates(cp(10), cp(20)), false)
  assert.equal(equivocates(cp(10), cp(20, root), consistencyProof(sub, 10, 20)), true)
})

test('encodeEntry writes exactly the deterministic CBOR of the generic encoder, and checks every value', () => {
  const sha = (i: number) => new Uint8Array(32).fill(i)
  const entries: AuditEntry[] = [
    { kind: 'inference', time: 2 ** 40 + 3, 'gen_ai.operation.name': 'score', 'gen_ai.request.model': 'm', 'gen_ai.usage.input_tokens': 70_000, 'gen_ai.usage.output_tokens': 0,
      'gen_ai.response.finish_reasons': [], 'aip.model.weights_root': sha(1), 'aip.caller': 'local:eval', 'aip.prompt.sha256': sha(2), 'aip.output.sha256': sha(3), 'aip.content.captured': true },
    { kind: 'operator', time: 0, 'aip.operator.action': 'erasure', 'aip.operator.subject': 'entry 5', 'aip.operator.detail': 'é'.repeat(300) },
    { kind: 'egress', time: 23, 'aip.egress.event': 'refused', 'aip.egress.peer': '12D3Koo' },
    { kind: 'record', time: 255, 'aip.record.id': 'x', 'aip.record.type': 'T', 'aip.record.direction': 'published', 'aip.record.outcome': 'ok' },
  ]
  for (const e of entries) {
    const generic = encodeCanonical({ v: 1, ...(e as unknown as Record<string, never>) })
    assert.deepEqual(encodeEntry(e), generic)
    assert.deepEqual(parseEntry(generic), e)
  }
  const base = entries[3]! as unknown as Record<string, unknown>
  for (const [k, v] of [['aip.record.id', ''], ['aip.record.direction', 'sideways'], ['time', -1], ['time', 1.5], ['aip.record.type', 'x'.repeat(257)], ['extra', 1], ['aip.record.id', '\ud800']] as const) {
    assert.equal(code(() => encodeEntry({ ...base, [k]: v } as unknown as AuditEntry)), 'malformed_entry', `${k}=${String(v).slice(0, 10)}`)
  }
  const { 'aip.record.outcome': _, ...missing } = base
  void _
  assert.equal(code(() => encodeEntry(missing as unknown as AuditEntry)), 'malformed_entry')
})
