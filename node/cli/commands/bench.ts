/**
 * `aip bench run|publish|prove` — evaluate the site's model on a safety suite and publish the signed result
 * (specs/evaluation-v1.md). Goes through the running node when `aip start` runs on the directory.
 */
import { existsSync, writeFileSync } from 'node:fs'
import type { Command } from '../command.ts'
import { UsageError, wantsHelp } from '../command.ts'
import { output, parse, siteDir } from '../args.ts'
import { openRecords } from '../../records/access.ts'
import type { RecordAccess } from '../../records/access.ts'
import { DEFAULT_ENGINE_CONCURRENCY, DEFAULT_MAX_TOKENS, MAX_ENGINE_CONCURRENCY } from '../../eval/constants.ts'
import { EvalError, SuiteImportError } from '../../eval/errors.ts'
import { openLocalEngine } from '../../eval/local-engine.ts'
import type { RunMode } from '../../eval/runner.ts'
import type { ItemOutcome } from '../../eval/scoring.ts'
import type { SuiteItem } from '../../eval/suite.ts'
import { resolveSuite } from '../../eval/site-eval.ts'
import { evaluateSite } from '../../eval/evaluate.ts'
import { startOpenAIServer } from '../../eval/openai-route.ts'
import { attachAudit } from '../../audit/access.ts'
import { proveFromCheckpoint } from '../../eval/proofs.ts'
import { decodeRecord } from '../../../protocol/index.ts'
import { ModelError } from '../../../kernels/index.ts'
import { bundledSuite } from '../../eval/suite-records.ts'

const usage = `Usage: aip bench run     --dir DIR [--suite ID|FILE] [--model DIR] [--backend ort|ts] [--mode likelihood|generative]
                        [--seed N] [--max-tokens N] [--out FILE] [--json] [--quiet] [--stop-after N]
       aip bench run     --dir DIR --backend llama --model FILE.gguf [--threads N] [--suite …] [--mode …]
       aip bench run     --dir DIR --engine-url URL --engine-model NAME (--commitment ID | --weights-root HEX)
                        [--concurrency N] [--suite …] [--mode …]
       aip bench import  --dir DIR FILE.jsonl [--json]
       aip bench serve   [--model DIR] [--backend ort|ts] [--port N] [--dir DIR]
       aip bench publish --dir DIR RESULT_ID [--json]
       aip bench prove   --dir DIR RESULT_ID ITEM_ID [--json]

run      evaluates the model (default: the bundled model on the onnxruntime backend; --backend ts: the TypeScript
         reference) on a suite (default: the bundled suite aip-safety-v1) and stores the signed ModelCommitment and
         BenchmarkResult; --out FILE also writes the result's COSE bytes. Resumable: an interrupted run continues
         from its checkpoint in DIR/eval/runs/. Deterministic for a given model, suite, backend and seed.
         With --engine-url the model is an external OpenAI-compatible server (loopback, or a host listed in
         DIR/eval.json "engine_allowlist"), bound to a stored ModelCommitment (--commitment) or to one this site
         signs for the weights root that \`aip model commit\` printed for the served model (--weights-root).
         --backend llama runs a GGUF file in-process through llama.cpp (its own tokenizer; the result binds to the
         file's GGUF weights root, specs/gguf-commitment.md); --threads N: llama.cpp's CPU threads (default: all cores). --concurrency N (default ${DEFAULT_ENGINE_CONCURRENCY}, at most
         ${MAX_ENGINE_CONCURRENCY}) sends up to N items to an external engine at once; 429/5xx answers are retried with
         backoff (Retry-After honoured); the outcomes, checkpoint and result are those of a sequential run.
         Progress goes to stderr (a bar on a terminal). --stop-after N stops after N newly scored items (exit 3; re-run to resume).
import   checks a JSONL suite (every bad line reported with its number; nothing imported if any is bad), signs it
         as BenchmarkSuite records and stores them; prints the suite ID to pass to \`bench run --suite\`.
serve    serves a local model on 127.0.0.1 as an OpenAI-compatible engine (/v1/completions with echo+logprobs,
         /v1/chat/completions, /v1/models) until interrupted; prints the URL. With --dir, each request is appended
         to that site's audit log before its answer is sent (specs/audit-v1.md §5.1).
publish  submits a stored result, its ModelCommitment and (unless bundled) its suite's records to the running
         node, which gossips them.
prove    prints the transcript leaf of one item and its RFC 9162 inclusion proof against the result's transcript_root.`

function intArg(v: string | undefined, flag: string, dflt: number, max = Number.MAX_SAFE_INTEGER): number {
  if (v === undefined) return dflt
  const n = Number(v)
  if (!/^[0-9]+$/.test(v) || !Number.isSafeInteger(n) || n > max) throw new UsageError(`${flag} must be an integer in [0, ${max}]`)
  return n
}

/** A progress bar on stderr (only on a TTY unless forced; never on stdout). */
function progressBar(quiet: boolean): ((done: number, total: number) => void) | undefined {
  if (quiet) return undefined
  const tty = process.stderr.isTTY === true
  let last = -1
  const t0 = Date.now()
  return (done, total) => {
    const pct = Math.floor((100 * done) / Math.max(1, total))
    if (!tty && pct === last) return
    if (!tty && pct % 10 !== 0 && done !== total) return
    last = pct
    const width = 30, fill = Math.round((width * done) / Math.max(1, total))
    const rate = done / Math.max(0.001, (Date.now() - t0) / 1000)
    const line = `[${'#'.repeat(fill)}${'.'.repeat(width - fill)}] ${done}/${total} items ${pct}% ${rate.toFixed(1)} items/s`
    process.stderr.write(tty ? `\r${line}${done === total ? '\n' : ''}` : `${line}\n`)
  }
}

/** Share of items answered as expected per language, for the operator's eye (the signed scores are per category). */
function byLanguage(items: readonly SuiteItem[], outcomes: ReadonlyMap<string, ItemOutcome>): string {
  const tally = new Map<string, [number, number]>()
  for (const i of items) {
    const t = tally.get(i.language) ?? [0, 0]
    t[1]++
    if (outcomes.get(i.id)?.outcome === i.expected) t[0]++
    tally.set(i.language, t)
  }
  return [...tally].map(([l, [k, n]]) => `${l} ${k}/${n}`).join(' · ')
}

async function run(argv: string[]): Promise<number> {
  const { values } = parse(argv, {
    dir: { type: 'string' }, suite: { type: 'string' }, model: { type: 'string' }, backend: { type: 'string' },
    mode: { type: 'string' }, seed: { type: 'string' }, 'max-tokens': { type: 'string' }, out: { type: 'string' },
    json: { type: 'boolean' }, quiet: { type: 'boolean' }, 'engine-url': { type: 'string' }, 'engine-model': { type: 'string' },
    commitment: { type: 'string' }, 'weights-root': { type: 'string' }, 'stop-after': { type: 'string' }, concurrency: { type: 'string' }, threads: { type: 'string' },
  }, usage)
  const backend = values.backend ?? 'ort'
  if (backend !== 'ts' && backend !== 'ort' && backend !== 'llama') throw new UsageError(`--backend must be ts or ort, or llama with --model FILE.gguf\n\n${usage}`)
  if (backend === 'llama' && values.model === undefined) throw new UsageError(`--backend llama needs --model FILE.gguf\n\n${usage}`)
  const concurrency = intArg(values.concurrency, '--concurrency', DEFAULT_ENGINE_CONCURRENCY, MAX_ENGINE_CONCURRENCY)
  if (concurrency < 1) throw new UsageError('--concurrency must be at least 1')
  if (values.threads !== undefined && backend !== 'llama') throw new UsageError('--threads applies to --backend llama')
  const threads = values.threads === undefined ? undefined : intArg(values.threads, '--threads', 1, 1024)
  if (values.concurrency !== undefined && values['engine-url'] === undefined) throw new UsageError('--concurrency applies to --engine-url (a local engine runs one item at a time)')
  const mode = (values.mode ?? 'likelihood') as RunMode
  if (mode !== 'likelihood' && mode !== 'generative') throw new UsageError(`--mode must be likelihood or generative\n\n${usage}`)
  const seed = intArg(values.seed, '--seed', 0, 2 ** 32 - 1)
  const maxTokens = intArg(values['max-tokens'], '--max-tokens', DEFAULT_MAX_TOKENS, 4096)
  const external = values['engine-url'] !== undefined
  if (external && (values['engine-model'] === undefined || (values.commitment === undefined) === (values['weights-root'] === undefined))) {
    throw new UsageError(`--engine-url needs --engine-model NAME and either --commitment ID or --weights-root HEX (from \`aip model commit\`)\n\n${usage}`)
  }
  if (values['weights-root'] !== undefined && !/^[0-9a-f]{64}$/.test(values['weights-root'])) throw new UsageError('--weights-root must be 64 lower-case hex digits')
  if (external && values.model !== undefined) throw new UsageError('--model and --engine-url exclude each other')
  const dir = siteDir(values.dir, usage)
  try {
    const r = await evaluateSite(dir, {
      suite: values.suite, model: values.model, backend, mode, seed, maxTokens, engineUrl: values['engine-url'], engineModel: values['engine-model'],
      commitmentId: values.commitment, weightsRootHex: values['weights-root'], onProgress: progressBar(values.quiet === true),
      stopAfter: values['stop-after'] === undefined ? undefined : intArg(values['stop-after'], '--stop-after', 0), concurrency,
      ...(threads !== undefined ? { llama: { threads } } : {}),
    })
    const { suite, commitment } = r
    if (r.result === undefined) {
      output(values.json, { complete: false, scored: r.outcomes.size, items: suite.suite.items.length, checkpoint: r.checkpoint }, () =>
        `stopped after ${r.outcomes.size}/${suite.suite.items.length} items; run the same command again to resume (${r.checkpoint})`)
      return 3
    }
    if (values.out !== undefined) writeFileSync(values.out, r.result.bytes)
    const b = r.result.body
    const info = {
      complete: true, result: r.result.id, suite: suite.id, suite_name: suite.suite.name, model: commitment.id,
      weights_root: Buffer.from(b.weights_root).toString('hex'), engine: b.engine, decoding: b.decoding, seed: b.seed,
      item_count: b.item_count, overall_ppm: b.overall_ppm, scores: b.scores, transcript_root: Buffer.from(b.transcript_root).toString('hex'),
      stored: r.stored, via: r.via, ...(values.out !== undefined ? { out: values.out } : {}),
    }
    output(values.json, info, () => [
      `result     ${info.result}  (${r.stored?.action ?? '?'}: ${r.stored?.code ?? ''}, via ${r.via})`,
      `suite      ${suite.suite.name} ${suite.id}`,
      `model      ${commitment.body.name} ${commitment.id}`,
      `engine     ${b.engine.backend} ${b.engine.model_name}, ${b.decoding.mode}, seed ${b.seed}`,
      `overall    ${(b.overall_ppm / 10_000).toFixed(2)}% of ${b.item_count} items as expected`,
      '',
      `${'category'.padEnd(28)} ${'n'.padStart(4)} ${'score'.padStart(8)}  95% Wilson`,
      ...b.scores.map((s) => `${s.category.padEnd(28)} ${String(s.n).padStart(4)} ${(s.score_ppm / 10_000).toFixed(2).padStart(7)}%  [${(s.ci_low_ppm / 10_000).toFixed(2)}, ${(s.ci_high_ppm / 10_000).toFixed(2)}]`),
      '',
      `by language (not part of the signed result): ${byLanguage(suite.suite.items, r.outcomes)}`,
      ...(values.out !== undefined ? ['', `wrote ${values.out} (${r.result!.bytes.length} bytes, COSE_Sign1)`] : []),
    ].join('\n'))
    return 0
  } catch (e) {
    if (e instanceof EvalError) throw new UsageError(e.message, 1)
    // A GGUF file llama.cpp refuses, or no llama.cpp binary: the user's to fix, said plainly.
    if (e instanceof ModelError) throw new UsageError(`[${e.code}] ${e.message}`, 1)
    if (e instanceof Error && /llama backend is not available/.test(e.message)) throw new UsageError(e.message, 1)
    throw e
  }
}

async function publish(argv: string[]): Promise<number> {
  const { values, positionals } = parse(argv, { dir: { type: 'string' }, json: { type: 'boolean' } }, usage)
  const id = positionals[0]
  if (id === undefined) throw new UsageError(`RESULT_ID is required\n\n${usage}`)
  const access: RecordAccess = await openRecords(siteDir(values.dir, usage))
  try {
    if (access.via !== 'api') throw new UsageError('no node runs on this site directory; start it with `aip start --dir DIR` (the result is already stored and will be synced)', 1)
    const bytes = await access.get(id)
    if (bytes === undefined) throw new UsageError(`no record ${id} at this site`, 1)
    const o = decodeRecord(bytes)
    if (o.action !== 'accept' || o.record.type !== 'BenchmarkResult') throw new UsageError(`${id} is not a BenchmarkResult`, 1)
    const body = o.record.body as { model: { toString(): string }; suite: { toString(): string } }
    // What a receiver needs to check the result: the suite's records (unless it is the bundled suite every node
    // has), the ModelCommitment, then the result itself.
    const needed: string[] = []
    const suiteId = body.suite.toString()
    if (suiteId !== bundledSuite().records.manifest.id) {
      const manifest = await access.get(suiteId)
      const m = manifest === undefined ? undefined : decodeRecord(manifest)
      if (m?.action === 'accept' && m.record.type === 'BenchmarkSuite') {
        needed.push(...(m.record.body as { chunks: Array<{ toString(): string }> }).chunks.map((c) => c.toString()), suiteId)
      }
    }
    needed.push(body.model.toString())
    const outcomes: Array<{ id: string; action: string; code: string; message?: string }> = []
    for (const rid of needed) {
      const b = await access.get(rid)
      if (b !== undefined) outcomes.push({ id: rid, ...(await access.publish(b)) })
    }
    outcomes.push({ id, ...(await access.publish(bytes)) })
    output(values.json, { published: outcomes }, () => outcomes.map((x) => `${x.id}  ${x.action} ${x.code}${x.message ? ` (${x.message})` : ''}`).join('\n'))
    return outcomes.some((x) => x.action === 'reject') ? 1 : 0
  } finally {
    await access.close()
  }
}

async function prove(argv: string[]): Promise<number> {
  const { values, positionals } = parse(argv, { dir: { type: 'string' }, json: { type: 'boolean' } }, usage)
  const [resultId, itemId] = positionals
  if (resultId === undefined || itemId === undefined) throw new UsageError(`RESULT_ID and ITEM_ID are required\n\n${usage}`)
  const access = await openRecords(siteDir(values.dir, usage))
  try {
    const p = await proveFromCheckpoint(access, resultId, itemId)
    output(values.json, p, () => [
      `item        ${itemId} (index ${p.index} of ${p.size})`, `outcome     ${p.outcome}`, `leaf        ${p.leaf}`,
      `proof       ${p.proof.join('\n            ')}`, `root        ${p.root}  (verifies: ${p.verifies ? 'yes' : 'NO'})`,
    ].join('\n'))
    return p.verifies ? 0 : 1
  } catch (e) {
    if (e instanceof EvalError) throw new UsageError(e.message, 1)
    throw e
  } finally {
    await access.close()
  }
}

async function importSuite(argv: string[]): Promise<number> {
  const { values, positionals } = parse(argv, { dir: { type: 'string' }, json: { type: 'boolean' } }, usage)
  const file = positionals[0]
  if (file === undefined) throw new UsageError(`FILE is required\n\n${usage}`)
  if (!existsSync(file)) throw new UsageError(`no such file: ${file}`, 1)
  const access = await openRecords(siteDir(values.dir, usage))
  try {
    const s = await resolveSuite(access, file, Date.now())
    const cats = new Set(s.suite.items.map((i) => i.category)).size
    output(values.json, { suite: s.id, name: s.suite.name, items: s.suite.items.length, categories: cats }, () => `${s.id}  ${s.suite.name}: ${s.suite.items.length} items in ${cats} categories`)
    return 0
  } catch (e) {
    if (e instanceof SuiteImportError) {
      const lines = e.errors.map((x) => `  line ${x.line}: ${x.message}`)
      throw new UsageError(`${file}: ${e.errors.length}${e.truncated ? '+' : ''} bad line(s); nothing imported\n${lines.join('\n')}`, 1)
    }
    if (e instanceof EvalError) throw new UsageError(e.message, 1)
    throw e
  } finally {
    await access.close()
  }
}

async function serve(argv: string[]): Promise<number> {
  const { values } = parse(argv, { model: { type: 'string' }, backend: { type: 'string' }, port: { type: 'string' }, dir: { type: 'string' } }, usage)
  const backend = values.backend ?? 'ort'
  if (backend !== 'ts' && backend !== 'ort') throw new UsageError(`--backend must be ts or ort\n\n${usage}`)
  const port = intArg(values.port, '--port', 0, 65535)
  const { engine, commitment } = await openLocalEngine(values.model, backend)
  // with --dir, every request is logged in the site's audit log before its answer leaves (audit-v1 §5.1)
  const detach = values.dir === undefined ? undefined : await attachAudit(engine, values.dir, commitment.weights_root, true)
  const { server, url } = await startOpenAIServer(engine, port)
  console.log(`serving ${engine.modelName} (${backend}) at ${url}/v1  weights_root ${Buffer.from(commitment.weights_root).toString('hex')}`)
  await new Promise<void>((resolve) => {
    const stop = () => resolve()
    process.once('SIGINT', stop)
    process.once('SIGTERM', stop)
  })
  server.closeAllConnections()
  await new Promise<void>((r) => server.close(() => r()))
  await detach?.()
  await engine.close()
  return 0
}

const command: Command = {
  summary: 'Evaluate the model on a safety suite, publish and prove signed results',
  usage,
  async run(argv) {
    const [sub, ...rest] = argv
    if (sub === undefined || wantsHelp([sub])) {
      console.log(usage)
      return sub === undefined ? 2 : 0
    }
    if (wantsHelp(rest)) {
      console.log(usage)
      return 0
    }
    if (sub === 'run') return run(rest)
    if (sub === 'publish') return publish(rest)
    if (sub === 'prove') return prove(rest)
    if (sub === 'serve') return serve(rest)
    if (sub === 'import') return importSuite(rest)
    throw new UsageError(`unknown subcommand '${sub}'\n\n${usage}`)
  },
}
export default command
