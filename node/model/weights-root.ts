/**
 * The weights root of any safetensors model (specs/aip-v1.md §4.6, issue 2 §Weights root): RFC 9162 MTH over one
 * leaf per tensor, tensors ordered by name (bytewise UTF-8) across all shards, leaf = deterministic CBOR
 * [name, dtype, shape, sha256(raw bytes)]. Streams every file once in fixed-size reads: memory is one read buffer
 * plus 32 bytes per tensor, whatever the model size (a 140 GB checkpoint included). No config.json needed.
 */
import { open } from 'node:fs/promises'
import { createHash, type Hash } from 'node:crypto'
import { existsSync, readFileSync, statSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { ModelError, locateTensors } from '../../kernels/index.ts'
import type { LocatedTensor } from '../../kernels/index.ts'
import { MerkleBuilder, sortTensorNames, weightsLeaf } from '../../protocol/index.ts'
import { isGgufFile } from '../../kernels/index.ts'
import { commitGguf } from './gguf-root.ts'

/** Bytes per read while hashing tensor data. */
export const COMMIT_READ_BYTES = 8 << 20

/** Experts chosen per token when no config.json says otherwise (AIP's models and Mixtral both use 2). */
export const DEFAULT_EXPERTS_PER_TOKEN = 2

export interface WeightsCommitment {
  weightsRoot: Uint8Array // 32 bytes
  paramsTotal: number // Σ elements over all tensors
  paramsActivePerToken: number // total − Σ_layers (experts − topK) × params per expert
  tensors: number
  expertsPerToken: number | null // topK used for the active count (null: no expert tensors)
  topKFromConfig: boolean
}

/** sha-256 of every tensor's raw bytes, reading each file sequentially once. */
async function hashFile(file: string, tensors: LocatedTensor[], digests: Map<string, Uint8Array>, readBytes: number): Promise<void> {
  const ordered = [...tensors].sort((a, b) => a.begin - b.begin)
  const fh = await open(file, 'r')
  try {
    const buf = Buffer.allocUnsafe(readBytes)
    for (const t of ordered) {
      const h: Hash = createHash('sha256')
      let pos = t.dataStart + t.begin
      const end = t.dataStart + t.end
      while (pos < end) {
        const { bytesRead } = await fh.read(buf, 0, Math.min(buf.length, end - pos), pos)
        if (bytesRead === 0) throw new ModelError('truncated', `file ended while reading (${file})`, t.name)
        h.update(buf.subarray(0, bytesRead))
        pos += bytesRead
      }
      digests.set(t.name, new Uint8Array(h.digest()))
    }
  } finally {
    await fh.close()
  }
}

/** num_experts_per_tok from a config.json beside the model, if there is one. */
function configTopK(path: string): number | null {
  const dir = statSync(path).isDirectory() ? path : dirname(path)
  const file = join(dir, 'config.json')
  if (!existsSync(file)) return null
  try {
    const k = (JSON.parse(readFileSync(file, 'utf8')) as { num_experts_per_tok?: unknown }).num_experts_per_tok
    return typeof k === 'number' && Number.isInteger(k) && k > 0 ? k : null
  } catch {
    return null
  }
}

const EXPERT = /^(.*)\.experts\.(\d+)\.(.+)$/

/** Parameter counts from tensor shapes alone; experts are recognised by the `….experts.E.…` naming. */
export function paramCountsFromTensors(tensors: Iterable<{ name: string; shape: number[] }>, topK: number): { total: number; active: number; moe: boolean } {
  let total = 0
  const groups = new Map<string, { experts: Set<string>; params: number }>() // per MoE block
  for (const t of tensors) {
    const n = t.shape.reduce((a, b) => a * b, 1)
    total += n
    const m = EXPERT.exec(t.name)
    if (m !== null) {
      const g = groups.get(m[1]!) ?? { experts: new Set<string>(), params: 0 }
      g.experts.add(m[2]!)
      g.params += n
      groups.set(m[1]!, g)
    }
  }
  let active = total
  for (const g of groups.values()) {
    const e = g.experts.size
    if (e > topK) active -= ((e - topK) * g.params) / e
  }
  return { total, active: Math.round(active), moe: groups.size > 0 }
}

/** Commits a model: a .safetensors file, a directory with model.safetensors, or a sharded directory. */
export async function commitWeights(path: string, options: { readBytes?: number } = {}): Promise<WeightsCommitment> {
  if (isGgufFile(path)) { // a GGUF file: specs/gguf-commitment.md §2
    const g = await commitGguf(path, options.readBytes ?? COMMIT_READ_BYTES)
    return { weightsRoot: g.weightsRoot, paramsTotal: g.paramsTotal, paramsActivePerToken: g.paramsActivePerToken, tensors: g.tensors, expertsPerToken: g.expertsPerToken, topKFromConfig: g.expertsPerToken !== null }
  }
  const located = locateTensors(path) // validates every header; duplicate names across shards are an error
  const byFile = new Map<string, LocatedTensor[]>()
  for (const t of located.values()) byFile.set(t.file, [...(byFile.get(t.file) ?? []), t])
  const digests = new Map<string, Uint8Array>()
  for (const [file, tensors] of byFile) await hashFile(file, tensors, digests, options.readBytes ?? COMMIT_READ_BYTES)
  const tree = new MerkleBuilder()
  for (const name of sortTensorNames([...located.keys()])) {
    const t = located.get(name)!
    tree.push(weightsLeaf(name, t.dtype, t.shape, digests.get(name)!))
  }
  const fromConfig = configTopK(path)
  const topK = fromConfig ?? DEFAULT_EXPERTS_PER_TOKEN
  const counts = paramCountsFromTensors(located.values(), topK)
  return {
    weightsRoot: tree.root(),
    paramsTotal: counts.total,
    paramsActivePerToken: counts.active,
    tensors: located.size,
    expertsPerToken: counts.moe ? topK : null,
    topKFromConfig: fromConfig !== null,
  }
}
