/**
 * `aip model info|logits|commit|generate` (issue 3 §CLI; keep stable: other tools parse the output).
 * --model defaults to the bundled, untrained aip-tiny-moe model for every subcommand.
 */
import { parseArgs } from 'node:util'
import { resolve } from 'node:path'
import type { Command } from '../command.ts'
import { UsageError, wantsHelp } from '../command.ts'
import type { BackendName } from '../../../kernels/index.ts'
import { ensureBundledModel, createBackend, Engine, ModelError, loadModel, locateTensors, readConfig, encode, StreamDecoder, EOS_ID, paramCounts } from '../../../kernels/index.ts'
import { commitWeights } from '../../model/weights-root.ts'
import { exportModel, ggufInfo, llamaGenerate, llamaLogits } from '../model-gguf.ts'
import { modelStates, STATES_HELP, STATES_USAGE } from '../model-states.ts'
import { isGgufFile } from '../../../kernels/index.ts'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'

/** Largest number of tokens `aip model logits --tokens` accepts (the output is tokens × vocab numbers). */
export const MAX_CLI_LOGITS_TOKENS = 4096

const USAGE = `Usage:
  aip model info     [--model DIR|FILE.gguf] [--json]
  aip model logits   [--model DIR] [--backend ts|ort] --tokens 1,2,3
  aip model logits   --backend llama --model FILE.gguf [--threads N] --tokens 1,2,3
  aip model commit   [--model DIR|FILE] [--json]
  aip model generate [--model DIR|FILE.gguf] [--backend ts|ort|llama] --prompt TEXT [--max-tokens N] [--temperature T] [--seed S]
  aip model export   --gguf --model DIR --out FILE.gguf [--dtype f32|f16]
${STATES_USAGE}

  --model DIR    model directory (config.json + model.safetensors); default: the bundled untrained aip-tiny-moe;
                 a GGUF file for info, commit, and --backend llama (llama.cpp, any architecture it runs)
  --threads N    --backend llama: llama.cpp's CPU threads (default: all cores)
  info           architecture, parameter counts, LASA settings; --json includes "dir" (absolute path)
  logits         prints {"logits": [[...], ...]}: one row of vocab_size logits per token, tokens used exactly as given;
                 --backend llama prints {"logprobs": [[...], ...]}: natural-log probabilities over the vocabulary
                 (llama.cpp gives probabilities, not logits: specs/gguf-commitment.md §5)
  commit         weights root (RFC 9162 MTH over [name, dtype, shape, sha256] leaves) and parameter counts of any
                 safetensors model: one file, or a directory (model.safetensors or model.safetensors.index.json);
                 no config.json needed; or of a GGUF file (specs/gguf-commitment.md §2: GGML type and ne per leaf);
                 --json gives {"weights_root", "params_total", "params_active_per_token"}
  export         writes a plain Mixtral model directory (no LASA) as GGUF for llama.cpp; f32 matrices by default
  generate       streams the continuation of TEXT (byte tokens after BOS); greedy unless --temperature > 0;
                 control characters in the output are shown as U+FFFD
${STATES_HELP}`

async function modelDir(value: string | undefined): Promise<string> {
  return value === undefined ? ensureBundledModel() : resolve(value)
}

function parseTokens(text: string | undefined): number[] {
  if (text === undefined) throw new UsageError('logits needs --tokens 1,2,3')
  const parts = text.split(',').map((s) => s.trim())
  if (parts.length > MAX_CLI_LOGITS_TOKENS) throw new UsageError(`at most ${MAX_CLI_LOGITS_TOKENS} tokens`)
  return parts.map((s) => {
    if (!/^\d+$/.test(s)) throw new UsageError(`--tokens: '${s}' is not a token id`)
    return Number(s)
  })
}

function number(name: string, text: string | undefined, fallback: number, integer: boolean): number {
  if (text === undefined) return fallback
  const v = Number(text)
  if (text.trim() === '' || !Number.isFinite(v) || (integer && !Number.isInteger(v)) || v < 0) throw new UsageError(`--${name}: '${text}' is not a valid ${integer ? 'non-negative integer' : 'non-negative number'}`)
  return v
}

function backendName(text: string | undefined): BackendName {
  if (text === undefined || text === 'ts' || text === 'ort' || text === 'llama') return text ?? 'ts'
  throw new UsageError(`--backend must be ts, ort or llama, not '${text}'`)
}

/** --threads: llama.cpp's CPU threads (undefined: node-llama-cpp's default, all cores). */
function llamaThreads(text: string | undefined): number | undefined {
  return text === undefined ? undefined : Math.max(1, number('threads', text, 1, true))
}

/** The --model of --backend llama: a GGUF file (no bundled default). */
function ggufPath(value: string | undefined): string {
  if (value === undefined) throw new UsageError('--backend llama needs --model FILE.gguf')
  const path = resolve(value)
  if (!isGgufFile(path)) throw new UsageError(`--backend llama: ${value} is not a GGUF file`, 1)
  return path
}

async function info(dir: string, json: boolean): Promise<number> {
  const config = readConfig(dir)
  locateTensors(dir) // headers readable
  const raw = JSON.parse(readFileSync(join(dir, 'config.json'), 'utf8')) as Record<string, unknown>
  const counts = paramCounts(config)
  const untrained = raw.aip_untrained === true
  const kvPerLayer = config.window.map((w) => (Number.isFinite(w) ? (config.globals + w) * 2 * config.kvHeads * config.headDim * 4 : null))
  const out = {
    dir,
    untrained,
    model_type: typeof raw.model_type === 'string' ? raw.model_type : null,
    architecture: config.lasa ? 'moe+lasa' : 'mixtral',
    config,
    params_total: counts.total,
    params_active_per_token: counts.active,
    kv_cache_bytes: kvPerLayer.every((b) => b !== null) ? kvPerLayer.reduce((a, b) => a + b!, 0) : null,
    tokenizer: 'bytes-v1 (ids 0-255 = UTF-8 bytes, 256 BOS, 257 EOS)',
  }
  if (json) {
    console.log(JSON.stringify({ ...out, config: { ...config, window: config.window.map((w) => (Number.isFinite(w) ? w : null)) } }))
    return 0
  }
  const c = config
  console.log(`${dir}${untrained ? '\n  UNTRAINED: random weights from a fixed seed, for tests and demos only' : ''}`)
  console.log(`  architecture  ${out.architecture} (${out.model_type ?? 'model_type absent'})`)
  console.log(`  sizes         vocab ${c.vocab}, dim ${c.dim}, hidden ${c.hidden}, layers ${c.layers}, heads ${c.heads}/${c.kvHeads} kv × ${c.headDim}`)
  console.log(`  experts       ${c.experts}, ${c.topK} active per token`)
  console.log(`  attention     ${c.lasa ? `LASA: W = ${[...new Set(c.window)].join('/')}, G = ${c.globals}` : 'full causal (plain Mixtral)'}`)
  console.log(`  parameters    ${counts.total} total, ${counts.active} active per token`)
  console.log(`  kv cache      ${out.kv_cache_bytes === null ? 'grows with the context' : `${out.kv_cache_bytes} bytes, whatever the context length`}`)
  console.log(`  tokenizer     ${out.tokenizer}`)
  return 0
}

async function logits(dir: string, backend: BackendName, tokens: number[]): Promise<number> {
  const model = loadModel(dir)
  const engine = new Engine(await createBackend(backend, model))
  try {
    const rows = await engine.logits(tokens)
    // Each f32 printed as the shortest decimal of its exact double value: full precision, round-trips exactly.
    process.stdout.write(`{"logits": [${rows.map((r) => `[${Array.from(r).join(', ')}]`).join(', ')}]}\n`)
  } finally {
    await engine.backend.dispose()
  }
  return 0
}

async function commit(path: string, json: boolean): Promise<number> {
  const c = await commitWeights(path)
  const root = Buffer.from(c.weightsRoot).toString('hex')
  if (json) {
    console.log(JSON.stringify({ weights_root: root, params_total: c.paramsTotal, params_active_per_token: c.paramsActivePerToken, tensors: c.tensors }))
  } else {
    console.log(root)
    console.log(`params_total ${c.paramsTotal}`)
    console.log(`params_active_per_token ${c.paramsActivePerToken}`)
  }
  if (c.expertsPerToken !== null && !c.topKFromConfig) console.error(`aip model commit: no config.json with num_experts_per_tok; active parameters assume ${c.expertsPerToken} experts per token`)
  return 0
}

/** Model output is untrusted: control characters (terminal escape sequences) are shown as U+FFFD; \n and \t kept. */
export function printable(text: string): string {
  // eslint-disable-next-line no-control-regex
  return text.replace(/[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/g, '\ufffd')
}

async function generate(dir: string, backend: BackendName, prompt: string, maxTokens: number, temperature: number, seed: number): Promise<number> {
  const engine = new Engine(await createBackend(backend, loadModel(dir)))
  const text = new StreamDecoder()
  try {
    for await (const t of engine.generate(encode(prompt, true), { maxTokens, temperature, seed, stop: [EOS_ID] })) process.stdout.write(printable(text.push(t)))
    process.stdout.write(printable(text.flush()) + '\n')
  } finally {
    await engine.backend.dispose()
  }
  return 0
}

const command: Command = {
  summary: 'Inspect, run, commit and export models: info, logits, commit, generate, export; states, certify, rollback',
  usage: USAGE,
  async run(argv) {
    const [sub, ...rest] = argv
    if (sub === undefined || wantsHelp([sub])) {
      console.log(USAGE)
      return sub === undefined ? 2 : 0
    }
    if (wantsHelp(rest)) {
      console.log(USAGE)
      return 0
    }
    let values
    try {
      values = parseArgs({
        args: rest,
        options: {
          model: { type: 'string' },
          json: { type: 'boolean', default: false },
          backend: { type: 'string' },
          gguf: { type: 'boolean', default: false },
          out: { type: 'string' },
          dtype: { type: 'string' },
          tokens: { type: 'string' },
          threads: { type: 'string' },
          prompt: { type: 'string' },
          'max-tokens': { type: 'string' },
          temperature: { type: 'string' },
          seed: { type: 'string' },
          dir: { type: 'string' },
          commitment: { type: 'string' },
          to: { type: 'string' },
          uncertified: { type: 'boolean' },
        },
        strict: true,
        allowPositionals: false,
      }).values
    } catch (e) {
      throw new UsageError((e as Error).message)
    }
    try {
      switch (sub) {
        case 'info': {
          const path = await modelDir(values.model)
          return isGgufFile(path) ? await ggufInfo(path, values.json, printable) : await info(path, values.json)
        }
        case 'logits': {
          const backend = backendName(values.backend)
          if (backend === 'llama') return await llamaLogits(ggufPath(values.model), parseTokens(values.tokens), llamaThreads(values.threads))
          return await logits(await modelDir(values.model), backend, parseTokens(values.tokens))
        }
        case 'export': {
          if (!values.gguf) throw new UsageError('export needs --gguf (the only export format)')
          if (values.model === undefined || values.out === undefined) throw new UsageError('export needs --model DIR and --out FILE.gguf')
          const dtype = values.dtype ?? 'f32'
          if (dtype !== 'f32' && dtype !== 'f16') throw new UsageError(`--dtype must be f32 or f16, not '${dtype}'`)
          return exportModel(resolve(values.model), resolve(values.out), dtype)
        }
        case 'commit':
          return await commit(await modelDir(values.model), values.json)
        case 'states': case 'certify': case 'rollback':
          return await modelStates(sub, values, USAGE)
        case 'generate':
          if (values.prompt === undefined) throw new UsageError('generate needs --prompt TEXT')
          if (backendName(values.backend) === 'llama') {
            return await llamaGenerate(ggufPath(values.model), llamaThreads(values.threads), values.prompt, number('max-tokens', values['max-tokens'], 64, true), number('temperature', values.temperature, 0, false), number('seed', values.seed, 0, true), printable)
          }
          return await generate(
            await modelDir(values.model),
            backendName(values.backend),
            values.prompt,
            number('max-tokens', values['max-tokens'], 64, true),
            number('temperature', values.temperature, 0, false),
            number('seed', values.seed, 0, true),
          )
        default:
          throw new UsageError(`unknown subcommand '${sub}'\n${USAGE}`)
      }
    } catch (e) {
      // Bad model files and bad token ids are the user's to fix: a clear message and exit 1, no stack trace.
      if (e instanceof ModelError || e instanceof RangeError) throw new UsageError(`${e instanceof ModelError ? `[${e.code}] ` : ''}${e.message}`, 1)
      if (e instanceof Error && /(ort|llama) backend is not available/.test(e.message)) throw new UsageError(e.message, 1)
      throw e
    }
  },
}
export default command
