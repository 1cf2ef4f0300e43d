/**
 * The weights root of a GGUF file (specs/gguf-commitment.md §2): RFC 9162 MTH over one leaf per tensor, tensors
 * ordered by name (bytewise UTF-8), leaf = deterministic CBOR [name, GGML type name, ne, sha256(tensor bytes)] —
 * the same leaf shape as safetensors (aip-v1 §4.6) with the GGML type ("Q4_K", "F32", …) in the dtype slot and the
 * dimensions as the file stores them (ne[0] first). A quantised file commits to exactly its quantised bytes.
 * Streams the data section once in COMMIT_READ_BYTES reads: memory is the header plus 32 bytes per tensor.
 */
import { open } from 'node:fs/promises'
import { createHash } from 'node:crypto'
import { ggmlTypeName, ggufArchitecture, ModelError, readGgufFile } from '../../kernels/index.ts'
import type { GgufHeader } from '../../kernels/index.ts'
import { MerkleBuilder, sortTensorNames, weightsLeaf } from '../../protocol/index.ts'

export interface GgufCommitment {
  weightsRoot: Uint8Array
  paramsTotal: number
  paramsActivePerToken: number
  tensors: number
  expertsPerToken: number | null
  architecture: string
  header: GgufHeader
}

/** Stacked-expert tensors (llama.cpp naming: blk.N.ffn_{gate,up,down}_exps…) hold `expert_count` experts on their last axis. */
const STACKED_EXPERTS = /\.ffn_(gate|up|down|gate_up)_exps\./

function metaInt(h: GgufHeader, key: string): number | null {
  const v = h.metadata.get(key)?.value
  return typeof v === 'number' && Number.isInteger(v) && v > 0 ? v : null
}

/** Commits the GGUF file at `path`. */
export async function commitGguf(path: string, readBytes: number): Promise<GgufCommitment> {
  const h = readGgufFile(path)
  const arch = ggufArchitecture(h)
  const digests = new Map<string, Uint8Array>()
  const fh = await open(path, 'r')
  try {
    const buf = Buffer.allocUnsafe(readBytes)
    for (const t of [...h.tensors].sort((a, b) => a.offset - b.offset)) {
      const hash = createHash('sha256')
      let pos = h.dataStart + t.offset
      const end = pos + t.bytes
      while (pos < end) {
        const { bytesRead } = await fh.read(buf, 0, Math.min(buf.length, end - pos), pos)
        if (bytesRead === 0) throw new ModelError('truncated', `file ended while reading (${path})`, t.name)
        hash.update(buf.subarray(0, bytesRead))
        pos += bytesRead
      }
      digests.set(t.name, new Uint8Array(hash.digest()))
    }
  } finally {
    await fh.close()
  }
  const byName = new Map(h.tensors.map((t) => [t.name, t]))
  const tree = new MerkleBuilder()
  for (const name of sortTensorNames([...byName.keys()])) {
    const t = byName.get(name)!
    tree.push(weightsLeaf(name, ggmlTypeName(t.type)!, t.ne, digests.get(name)!))
  }
  const experts = metaInt(h, `${arch}.expert_count`)
  const topK = metaInt(h, `${arch}.expert_used_count`)
  let total = 0
  let inactive = 0
  for (const t of h.tensors) {
    const n = t.ne.reduce((a, b) => a * b, 1)
    total += n
    if (experts !== null && topK !== null && experts > topK && STACKED_EXPERTS.test(t.name)) inactive += (n * (experts - topK)) / experts
  }
  return {
    weightsRoot: tree.root(), paramsTotal: total, paramsActivePerToken: Math.round(total - inactive), tensors: h.tensors.length,
    expertsPerToken: experts !== null ? topK : null, architecture: arch, header: h,
  }
}
