/**
 * Writes specs/vectors/gguf/weights-root.json (specs/gguf-commitment.md §7): a small GGUF file with F16, F32, Q8_0
 * and Q4_K tensors listed out of name order, its leaves and weights root, and header-rejection cases.
 * Byte-identical on every run; `--check` compares with the committed file. Usage: node --import tsx scripts/gen-gguf-vectors.ts [--check]
 */
import '../node/polyfill.ts'
import { createHash } from 'node:crypto'
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { GgufType, ggufLayout, ggmlTypeName, ModelError, paddingAfter, readGgufHeader } from '../kernels/index.ts'
import type { GgufValue } from '../kernels/index.ts'
import { commitGguf } from '../node/index.ts'
import { sortTensorNames, weightsLeaf } from '../protocol/index.ts'

const OUT = new URL('../specs/vectors/gguf/weights-root.json', import.meta.url)

/** Deterministic bytes: SHA-256 counter stream of `label`. */
function stream(label: string, n: number): Uint8Array {
  const out = new Uint8Array(n)
  for (let i = 0, block = 0; i < n; block++) {
    const d = createHash('sha256').update(`${label}/${block}`).digest()
    out.set(d.subarray(0, Math.min(32, n - i)), i)
    i += 32
  }
  return out
}

const META = new Map<string, GgufValue>([
  ['general.architecture', { type: GgufType.STRING, value: 'llama' }],
  ['general.name', { type: GgufType.STRING, value: 'aip-gguf-vector' }],
  ['llama.expert_count', { type: GgufType.UINT32, value: 2 }],
  ['llama.expert_used_count', { type: GgufType.UINT32, value: 1 }],
])
const TENSORS = [
  { name: 'token_embd.weight', type: 1, ne: [4, 3] }, // F16
  { name: 'output_norm.weight', type: 0, ne: [4] }, // F32
  { name: 'blk.0.ffn_gate_exps.weight', type: 8, ne: [32, 1, 2] }, // Q8_0: 2 experts × 1 row × 1 block
  { name: 'blk.0.attn_q.weight', type: 12, ne: [256, 1] }, // Q4_K: one super-block
]

function fileBytes(): { bytes: Uint8Array; data: Uint8Array[] } {
  const l = ggufLayout(META, TENSORS)
  const data = TENSORS.map((t, i) => stream(t.name, l.bytes[i]!))
  const parts: Uint8Array[] = [l.header]
  data.forEach((d, i) => {
    parts.push(d)
    if (i + 1 < data.length) parts.push(new Uint8Array(paddingAfter(d.length, l.alignment)))
  })
  return { bytes: new Uint8Array(Buffer.concat(parts)), data }
}

const hex = (b: Uint8Array) => Buffer.from(b).toString('hex')

/** A copy of `b` with `edit` applied. */
function edited(b: Uint8Array, edit: (c: Uint8Array, v: DataView) => Uint8Array | void): Uint8Array {
  const c = b.slice()
  return edit(c, new DataView(c.buffer)) ?? c
}

function codeOf(b: Uint8Array): string {
  try {
    readGgufHeader({ size: b.length, read: (p, n) => b.subarray(p, Math.min(b.length, p + n)) })
    return 'valid'
  } catch (e) {
    if (e instanceof ModelError) return e.code
    throw e
  }
}

const { bytes, data } = fileBytes()
const header = readGgufHeader({ size: bytes.length, read: (p, n) => bytes.subarray(p, p + n) })
const tensors = TENSORS.map((t, i) => ({ name: t.name, type: ggmlTypeName(t.type)!, ne: t.ne, offset: header.tensors[i]!.offset, sha256: hex(createHash('sha256').update(data[i]!).digest()) }))
const names = sortTensorNames(tensors.map((t) => t.name))
const leaves = names.map((n) => {
  const t = tensors.find((x) => x.name === n)!
  return hex(weightsLeaf(n, t.type, t.ne, Buffer.from(t.sha256, 'hex')))
})
const tmp = join(tmpdir(), `aip-gguf-vector-${process.pid}.gguf`)
writeFileSync(tmp, bytes)
const commitment = await commitGguf(tmp, 16) // 16-byte reads: the streaming path crosses tensor boundaries
rmSync(tmp)

const rejects = [
  { description: 'magic is not GGUF', file: edited(bytes, (c) => { c[0] = 0x58 }) },
  { description: 'version 1 (only 2 and 3 are read)', file: edited(bytes, (_, v) => v.setUint32(4, 1, true)) },
  { description: 'tensor count above MAX_GGUF_TENSORS', file: edited(bytes, (_, v) => v.setBigUint64(8, 1_000_001n, true)) },
  { description: 'file cut inside the last tensor', file: bytes.subarray(0, bytes.length - 1) },
  { description: 'file cut inside the header', file: bytes.subarray(0, 64) },
].map((r) => ({ description: r.description, file_hex: hex(r.file), expected: codeOf(r.file) }))

const doc = {
  format: 'aip-gguf-weights-root',
  version: 1,
  description: 'GGUF weights root (specs/gguf-commitment.md §2) and header checks (§3).',
  vectors: {
    description: 'Four tensors (F16, F32, Q8_0, Q4_K) listed out of name order; data aligned to 32 bytes; padding not hashed.',
    file_hex: hex(bytes),
    data_start: header.dataStart,
    tensors,
    ordered_names: names,
    leaves,
    weights_root: hex(commitment.weightsRoot),
    params_total: commitment.paramsTotal,
    params_active_per_token: commitment.paramsActivePerToken,
  },
  rejects,
}
const text = JSON.stringify(doc, null, 1) + '\n'
if (process.argv.includes('--check')) {
  if (readFileSync(OUT, 'utf8') !== text) {
    console.error('specs/vectors/gguf/weights-root.json differs from what the generator produces')
    process.exit(1)
  }
  console.log('specs/vectors/gguf/weights-root.json is current')
} else {
  mkdirSync(new URL('.', OUT), { recursive: true })
  writeFileSync(OUT, text)
  console.log(`wrote specs/vectors/gguf/weights-root.json (root ${doc.vectors.weights_root})`)
}
