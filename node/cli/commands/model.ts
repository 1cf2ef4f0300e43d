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
import { readFileSync } from 'node:fs'
import { join } from 'node:path'

/** Largest number of tokens `aip model logits --tokens` accepts (the output is tokens × vocab numbers). */
export const MAX_CLI_LOGITS_TOKENS = 4096

const USAGE = `Usage:
  aip model info     [--model DIR] [--json]
  aip model logits   [--model DIR] [--backend ts|ort] --tokens 1,2,3
  aip model commit   [--model DIR|FILE] [--json]
  aip model generate [--model DIR] [--backend ts|ort] --prompt TEXT [--max-tokens N] [--temperature T] [--seed S]

  --model DIR    model directory (config.json + model.safetensors); default: the bundled untrained aip-tiny-moe
  info           architecture, parameter counts, LASA settings; --json includes "dir" (absolute path)
  logits         prints {"logits": [[...], ...]}: one row of vocab_size logits per token, tokens used exactly as given
  commit         weights root (RFC 9162 MTH over [name, dtype, shape, sha256] leaves) and parameter counts of any
                 safetensors model: one file, or a directory (model.safetensors or model.safetensors.index.json);
                 no config.json needed; --json gives {"weights_root", "params_total", "params_active_per_token"}
  generate       streams the continuation of TEXT (byte tokens after BOS); greedy unless --temperature > 0;
                 control characters in the output are shown as U+FFFD`

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
  if (text === undefined || text === 'ts' || text === 'ort') return text ?? 'ts'
  throw new UsageError(`--backend must be ts or ort, not '${text}'`)
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
  summary: 'Inspect, run and commit models: info, logits, commit, generate',
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
          tokens: { type: 'string' },
          prompt: { type: 'string' },
          'max-tokens': { type: 'string' },
          temperature: { type: 'string' },
          seed: { type: 'string' },
        },
        strict: true,
        allowPositionals: false,
      }).values
    } catch (e) {
      throw new UsageError((e as Error).message)
    }
    try {
      switch (sub) {
        case 'info':
          return await info(await modelDir(values.model), values.json)
        case 'logits':
          return await logits(await modelDir(values.model), backendName(values.backend), parseTokens(values.tokens))
        case 'commit':
          return await commit(await modelDir(values.model), values.json)
        case 'generate':
          if (values.prompt === undefined) throw new UsageError('generate needs --prompt TEXT')
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
      if (e instanceof Error && /ort backend is not available/.test(e.message)) throw new UsageError(e.message, 1)
      throw e
    }
  },
}
export default command
