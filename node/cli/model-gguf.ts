/**
 * The GGUF side of `aip model` (specs/gguf-commitment.md): info on a GGUF file, logits and generation through the
 * llama.cpp backend, and `export --gguf`. model.ts dispatches here; output shapes follow model.ts's.
 */
import { statSync } from 'node:fs'
import { createLlamaBackend, Engine, ggmlTypeName, ggufArchitecture, ggufConfig, readGgufFile } from '../../kernels/index.ts'
import type { GgufDtype } from '../../kernels/index.ts'
import { commitGguf } from '../model/gguf-root.ts'
import { exportGguf } from '../model/gguf-export.ts'
import { COMMIT_READ_BYTES } from '../model/weights-root.ts'

/** `aip model info --model FILE.gguf`: architecture, sizes, tensor types, parameter counts, tokenizer. */
export async function ggufInfo(path: string, json: boolean, printable: (s: string) => string): Promise<number> {
  const h = readGgufFile(path)
  const c = await commitGguf(path, COMMIT_READ_BYTES)
  const config = ggufConfig(h)
  const types: Record<string, number> = {}
  for (const t of h.tensors) types[ggmlTypeName(t.type)!] = (types[ggmlTypeName(t.type)!] ?? 0) + 1
  const text = (k: string): string | null => {
    const v = h.metadata.get(k)?.value
    return typeof v === 'string' ? v : null
  }
  const out = {
    file: path, format: 'gguf', gguf_version: h.version, bytes: statSync(path).size, architecture: ggufArchitecture(h), name: text('general.name'),
    config: { ...config, window: null }, tensors: h.tensors.length, tensor_types: types,
    params_total: c.paramsTotal, params_active_per_token: c.paramsActivePerToken, tokenizer: text('tokenizer.ggml.model'),
    weights_root: Buffer.from(c.weightsRoot).toString('hex'),
  }
  if (json) {
    console.log(JSON.stringify(out))
    return 0
  }
  console.log(path)
  console.log(`  format        GGUF v${h.version}, ${out.bytes} bytes, ${out.tensors} tensors (${Object.entries(types).map(([k, n]) => `${n} ${k}`).join(', ')})`)
  console.log(`  architecture  ${printable(out.architecture)}${out.name !== null ? ` (${printable(out.name)})` : ''}`)
  console.log(`  sizes         vocab ${config.vocab}, dim ${config.dim}, hidden ${config.hidden}, layers ${config.layers}, heads ${config.heads}/${config.kvHeads} kv × ${config.headDim}`)
  if (config.experts > 0) console.log(`  experts       ${config.experts}, ${config.topK} active per token`)
  console.log(`  parameters    ${out.params_total} total, ${out.params_active_per_token} active per token`)
  console.log(`  tokenizer     ${printable(out.tokenizer ?? 'none')}`)
  console.log(`  weights root  ${out.weights_root}`)
  return 0
}

/** `aip model logits --backend llama`: {"logprobs": [[…], …]}, natural-log probabilities over the vocabulary per token. */
export async function llamaLogits(path: string, tokens: number[], threads: number | undefined): Promise<number> {
  const backend = await createLlamaBackend(path, { contextSize: Math.max(tokens.length, 1), ...(threads !== undefined ? { threads } : {}) })
  try {
    const rows = await new Engine(backend).logits(tokens)
    process.stdout.write(`{"logprobs": [${rows.map((r) => `[${Array.from(r).join(', ')}]`).join(', ')}]}\n`)
  } finally {
    await backend.dispose()
  }
  return 0
}

/** `aip model generate --backend llama`: the model's own tokenizer; stops at its end-of-generation tokens. */
export async function llamaGenerate(path: string, threads: number | undefined, prompt: string, maxTokens: number, temperature: number, seed: number, printable: (s: string) => string): Promise<number> {
  const backend = await createLlamaBackend(path, threads !== undefined ? { threads } : {})
  const tokens: number[] = []
  let shown = ''
  try {
    for await (const t of new Engine(backend).generate(backend.tokenize(prompt, true), { maxTokens, temperature, seed })) {
      if (backend.isEndToken(t)) break
      tokens.push(t)
      const text = backend.detokenize(tokens)
      // Print the stable prefix only: a multi-byte character split across tokens shows up once complete.
      const stable = text.endsWith('\ufffd') ? text.slice(0, text.lastIndexOf('\ufffd')) : text
      if (stable.startsWith(shown)) {
        process.stdout.write(printable(stable.slice(shown.length)))
        shown = stable
      }
    }
    process.stdout.write(printable(backend.detokenize(tokens).slice(shown.length)) + '\n')
  } finally {
    await backend.dispose()
  }
  return 0
}

/** `aip model export --gguf`. */
export function exportModel(dir: string, out: string, dtype: GgufDtype): number {
  const r = exportGguf(dir, out, dtype)
  console.log(`wrote ${out} (${r.bytes} bytes, ${r.tensors} tensors, ${dtype.toUpperCase()} matrices)`)
  return 0
}
