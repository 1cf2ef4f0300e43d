/**
 * specs/vectors/audit-v1: the committed vectors match the generator and the reference code, and Go's
 * golang.org/x/mod/sumdb/note and sumdb/tlog (an independent C2SP implementation) agree on every note and proof —
 * the committed ones and fresh ones signed here with random keys.
 */
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { spawnSync } from 'node:child_process'
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { generateSigningKey } from '../../../protocol/keys.ts'
import { leafHash, rootFromConsistencyProof, verifyInclusionProof } from '../../../protocol/merkle.ts'
import {
  AuditError, cosigner, ed25519Signer, formatCheckpoint, formatNote, formatVerifierKey, parseEntry, parseNote, parseTilePath, parseVerifierKey, signNote, verifyNote,
  SIG_TYPE_COSIGNATURE_V1, SIG_TYPE_ED25519,
} from '../../../protocol/audit/index.ts'

const DIR = 'specs/vectors/audit-v1'
const V = JSON.parse(readFileSync(join(DIR, 'audit.json'), 'utf8'))
const b = (h: string) => Uint8Array.from(Buffer.from(h, 'hex'))

test('audit.json is what the generator writes', () => {
  const r = spawnSync(process.execPath, ['--import', 'tsx', join(DIR, 'generate.ts'), '--check'], { encoding: 'utf8' })
  assert.equal(r.status, 0, r.stderr)
})

test('the reference code agrees with every vector', () => {
  for (const e of V.log.entries as string[]) parseEntry(b(e))
  for (const p of V.inclusion) verifyInclusionProof(b(p.leaf_hash), p.index, p.size, p.proof.map(b), b(p.root))
  for (const p of V.consistency) assert.deepEqual(rootFromConsistencyProof(p.m, p.n, p.proof.map(b), b(p.root_m)), b(p.root_n))
  for (const n of V.notes) {
    let got: unknown
    try {
      got = { result: 'valid', verified: verifyNote(parseNote(n.note), n.vkeys.map(parseVerifierKey)).map((v) => v.name) }
    } catch (e) {
      if (!(e instanceof AuditError)) throw e
      got = { result: 'reject', reason: e.code }
    }
    assert.deepEqual(got, n.expected === 'valid' ? { result: 'valid', verified: n.verified } : { result: 'reject', reason: n.reason }, n.description)
  }
  for (const t of V.tiles) {
    if (t.expected === 'valid') assert.deepEqual(parseTilePath(t.path), { level: t.level, index: t.index, width: t.width })
    else assert.throws(() => parseTilePath(t.path), (e: unknown) => e instanceof AuditError && e.code === t.reason, t.path)
  }
})

const GO_MOD = '/usr/share/gocode/src/golang.org/x/mod/sumdb/note'
const hasGo = spawnSync('go', ['version']).status === 0 && existsSync(GO_MOD)

test('Go sumdb/note and sumdb/tlog verify our notes, cosignatures and proofs', { skip: hasGo ? false : 'go or golang-golang-x-mod-dev is not installed (apt-get install golang-go golang-golang-x-mod-dev; .ci/run does)' }, () => {
  const tmp = mkdtempSync(join(tmpdir(), 'aip-audit-go-'))
  try {
    // fresh notes: random log and witness keys, so the check is not limited to the committed bytes
    const log = generateSigningKey()
    const wit = generateSigningKey()
    const text = formatCheckpoint({ origin: 'aip-audit/XX/fresh', size: 1234, root: leafHash(Uint8Array.of(1)), extensions: [] })
    const note = signNote(text, ed25519Signer('aip-audit/XX/fresh', log))
    const c = cosigner('aip-witness/YY/fresh', wit)
    note.signatures.push({ name: c.name, keyId: c.keyId, signature: c.cosign(new TextEncoder().encode(text), 1_767_225_600) })
    const fresh = formatNote(note)
    const vkeys = [formatVerifierKey('aip-audit/XX/fresh', SIG_TYPE_ED25519, log.publicKey), formatVerifierKey('aip-witness/YY/fresh', SIG_TYPE_COSIGNATURE_V1, wit.publicKey)]
    const notes = [...V.notes, { note: fresh, vkeys }, { note: fresh.replace('\n1234\n', '\n1235\n'), vkeys }]
    const input = join(tmp, 'in.json')
    writeFileSync(input, JSON.stringify({ notes, inclusion: V.inclusion, consistency: V.consistency, entries: V.log.entries }))
    const r = spawnSync('go', ['run', 'note_check.go', input], {
      cwd: DIR, encoding: 'utf8', timeout: 120_000,
      env: { ...process.env, GO111MODULE: 'off', GOPATH: '/usr/share/gocode', GOCACHE: join(tmpdir(), 'aip-go-cache'), GOFLAGS: '' },
    })
    assert.equal(r.status, 0, r.stderr)
    const out = JSON.parse(r.stdout)
    const expected = [
      ...V.notes.map((n: { expected: string; verified?: string[] }) => (n.expected === 'valid' ? { result: 'valid', verified: n.verified } : 'reject')),
      { result: 'valid', verified: ['aip-audit/XX/fresh', 'aip-witness/YY/fresh'] }, 'reject',
    ]
    assert.deepEqual(out.notes.map((n: { result: string; verified?: string[] }) => (n.result === 'valid' ? n : 'reject')), expected)
    assert.deepEqual(out.inclusion, V.inclusion.map(() => 'ok'))
    assert.deepEqual(out.consistency, V.consistency.map(() => 'ok'))
    assert.deepEqual(out.leaf_hashes, V.log.entries.map((e: string) => Buffer.from(leafHash(b(e))).toString('hex')))
  } finally {
    rmSync(tmp, { recursive: true, force: true })
  }
})
