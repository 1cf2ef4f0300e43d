/**
 * Writes specs/vectors/audit-v1/audit.json (format in README.md) from fixed seeds and times: byte-identical on every
 * run. Usage from the repository root: node --import tsx specs/vectors/audit-v1/generate.ts [--check]
 */
import { createHash } from 'node:crypto'
import { readFileSync, writeFileSync } from 'node:fs'
import { generateSigningKey } from '../../../protocol/keys.ts'
import { consistencyProof, inclusionPath, leafHash, rangeHash, subtreesOf } from '../../../protocol/merkle.ts'
import {
  auditOrigin, cosigner, encodeEntry, formatCheckpoint, formatNote, formatVerifierKey, ed25519Signer, signNote, tilePath, witnessName,
  SIG_TYPE_COSIGNATURE_V1, SIG_TYPE_ED25519,
} from '../../../protocol/audit/index.ts'
import type { AuditEntry, Note } from '../../../protocol/audit/index.ts'

const hex = (b: Uint8Array) => Buffer.from(b).toString('hex')
const seed = (label: string) => new Uint8Array(createHash('sha256').update(label).digest())
const T0 = Date.UTC(2026, 11, 1, 12)
const TIME_S = Math.floor(T0 / 1000)

const logKey = generateSigningKey(seed('AIP audit-v1 vector log key'))
const witnessKeys = ['DE', 'FR', 'IT'].map((n) => ({ nation: n, key: generateSigningKey(seed(`AIP audit-v1 vector witness ${n}`)) }))
const origin = auditOrigin('CH', logKey.publicKey)
const logSigner = ed25519Signer(origin, logKey)
const d32 = (s: string) => seed(s)

function entry(i: number): AuditEntry {
  switch (i % 4) {
    case 0: return {
      kind: 'inference', time: T0 + i, 'gen_ai.operation.name': 'chat', 'gen_ai.request.model': 'aip-tiny-moe', 'gen_ai.usage.input_tokens': 20 + i,
      'gen_ai.usage.output_tokens': 8, 'gen_ai.response.finish_reasons': ['length'], 'aip.model.weights_root': d32('weights'), 'aip.caller': 'local:openai-route',
      'aip.prompt.sha256': d32(`prompt ${i}`), 'aip.output.sha256': d32(`output ${i}`),
    }
    case 1: return { kind: 'record', time: T0 + i, 'aip.record.id': 'bafkreigh2akiscaildcqabsyg3dfr6chu3fgpregiymsck7e7aqa4s52zy', 'aip.record.type': 'BenchmarkResult', 'aip.record.direction': 'received', 'aip.record.outcome': 'ok' }
    case 2: return { kind: 'operator', time: T0 + i, 'aip.operator.action': 'certificate', 'aip.operator.subject': 'site key 0123', 'aip.operator.detail': 'issued for one year' }
    default: return { kind: 'egress', time: T0 + i, 'aip.egress.event': 'refused', 'aip.egress.peer': '12D3KooWExample', 'aip.egress.detail': 'TLP:RED item' }
  }
}

const N = 21
const entries = Array.from({ length: N }, (_, i) => encodeEntry(entry(i)))
const hashes = entries.map(leafHash)
const sub = subtreesOf(hashes)
const root = (n: number) => rangeHash(sub, 0, n)

const inclusion = [[0, 1], [0, 2], [3, 8], [4, 5], [6, 13], [12, 13], [20, 21], [7, 21]].map(([index, size]) => ({
  index, size, leaf_hash: hex(hashes[index!]!), proof: inclusionPath(sub, index!, size!).map(hex), root: hex(root(size!)),
}))
const consistency = [[1, 1], [1, 2], [1, 8], [3, 7], [4, 8], [5, 13], [8, 21], [13, 21], [20, 21]].map(([m, n]) => ({
  m, n, proof: consistencyProof(sub, m!, n!).map(hex), root_m: hex(root(m!)), root_n: hex(root(n!)),
}))

function checkpointNote(size: number, cosigners: number, time = TIME_S): Note {
  const text = formatCheckpoint({ origin, size, root: root(size), extensions: [] })
  const note = signNote(text, logSigner)
  for (const w of witnessKeys.slice(0, cosigners)) {
    const c = cosigner(witnessName(w.nation, w.key.publicKey), w.key)
    note.signatures.push({ name: c.name, keyId: c.keyId, signature: c.cosign(new TextEncoder().encode(text), time) })
  }
  return note
}

const logVkey = formatVerifierKey(origin, SIG_TYPE_ED25519, logKey.publicKey)
const witnessVkeys = witnessKeys.map((w) => formatVerifierKey(witnessName(w.nation, w.key.publicKey), SIG_TYPE_COSIGNATURE_V1, w.key.publicKey))
const good = formatNote(checkpointNote(21, 3))
const tamperedRoot = good.replace(Buffer.from(root(21)).toString('base64'), Buffer.from(root(20)).toString('base64'))
const flipLast = (s: string) => { const lines = s.split('\n'); const l = lines[lines.length - 2]!; lines[lines.length - 2] = l.slice(0, -5) + (l.at(-5) === 'A' ? 'B' : 'A') + l.slice(-4); return lines.join('\n') }
const notes = [
  { description: 'checkpoint signed by the log and cosigned by three witnesses', note: good, vkeys: [logVkey, ...witnessVkeys], expected: 'valid', verified: [origin, ...witnessVkeys.map((v) => v.split('+')[0])] },
  { description: 'only the log key is known: the cosignatures are ignored', note: good, vkeys: [logVkey], expected: 'valid', verified: [origin] },
  { description: 'a witness key alone verifies its cosignature', note: good, vkeys: [witnessVkeys[1]], expected: 'valid', verified: [witnessVkeys[1]!.split('+')[0]] },
  { description: 'the root was changed after signing', note: tamperedRoot, vkeys: [logVkey], expected: 'reject', reason: 'bad_signature' },
  { description: 'one bit of the last cosignature flipped', note: flipLast(good), vkeys: [logVkey, ...witnessVkeys], expected: 'reject', reason: 'bad_signature' },
  { description: 'no known key signed it', note: good, vkeys: [formatVerifierKey('other.example/log', SIG_TYPE_ED25519, witnessKeys[0]!.key.publicKey)], expected: 'reject', reason: 'unverified' },
  { description: 'no blank line before the signatures', note: good.replace('\n\n', '\n'), vkeys: [logVkey], expected: 'reject', reason: 'malformed_note' },
]

const tiles = [
  { path: 'tile/0/000', level: 0, index: 0, width: 256 },
  { path: 'tile/0/x001/x234/067', level: 0, index: 1234067, width: 256 },
  { path: 'tile/1/000.p/17', level: 1, index: 0, width: 17 },
  { path: 'tile/entries/273.p/112', level: 'entries', index: 273, width: 112 },
].map((t) => ({ ...t, expected: 'valid' }))
for (const t of tiles) if (tilePath({ level: t.level as number, index: t.index, width: t.width }) !== t.path) throw new Error(`tile path ${t.path}`)
const badTiles = ['tile/0/1234067', 'tile/0/x000/067', 'tile/64/000', 'tile/0/000.p/0', 'tile/0/000.p/256', 'tile/0/000.p/017', 'tile/00/000', 'tile/0/x01/067']
  .map((path) => ({ path, expected: 'reject', reason: 'bad_tile_path' }))

const out = {
  format: 'aip-audit-v1', version: 1,
  description: 'AIP audit-v1 vectors: entries, RFC 9162 inclusion and consistency proofs, C2SP checkpoints, signed notes, cosignatures, tile paths',
  log: { origin, vkey: logVkey, public_key: hex(logKey.publicKey), entries: entries.map(hex), roots: Object.fromEntries(Array.from({ length: N + 1 }, (_, n) => [n, hex(root(n))])) },
  witnesses: witnessKeys.map((w, i) => ({ nation: w.nation, name: witnessName(w.nation, w.key.publicKey), public_key: hex(w.key.publicKey), vkey: witnessVkeys[i], cosignature_time: TIME_S })),
  inclusion, consistency, notes, tiles: [...tiles, ...badTiles],
}
const text = JSON.stringify(out, null, 2) + '\n'
const file = new URL('./audit.json', import.meta.url)
if (process.argv.includes('--check')) {
  if (readFileSync(file, 'utf8') !== text) { console.error('specs/vectors/audit-v1/audit.json differs from the generator'); process.exit(1) }
  console.log('audit.json is up to date')
} else {
  writeFileSync(file, text)
  console.log(`wrote ${file.pathname}`)
}
