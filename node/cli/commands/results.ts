/**
 * `aip results` — the federation's benchmark results at this site, verified (specs/evaluation-v1.md §8), one table
 * per suite; `aip results verify ID` explains every check.
 */
import { readFileSync, writeFileSync } from 'node:fs'
import type { Command } from '../command.ts'
import { UsageError, wantsHelp } from '../command.ts'
import { output, parse, siteDir } from '../args.ts'
import { openRecords } from '../../records/access.ts'
import type { RecordAccess } from '../../records/access.ts'
import { suiteItemsFor } from '../../eval/site-eval.ts'
import { verifyResult } from '../../eval/verify-record.ts'
import type { Verification, VerifyContext } from '../../eval/verify-record.ts'
import { modelWeightsRoot } from '../../eval/local-engine.ts'
import { bundledSuite } from '../../eval/suite-records.ts'
import { scoreChart } from '../../eval/chart.ts'
import { EvalError } from '../../eval/errors.ts'
import { getResult, runOutcomes, verifyProofFile } from '../../eval/proofs.ts'
import type { ProofFile } from '../../eval/transcript.ts'
import { decodeRecord } from '../../../protocol/index.ts'
import type { DecodedRecord } from '../../../protocol/index.ts'
import { entriesJsonl, parseEntriesJsonl } from '../../eval/transcript-entries.ts'
import { entriesFromRecords, findTranscript } from '../../eval/transcript-records.ts'
import { fileRecords, recordsOfSequence } from '../../records/file-access.ts'
import type { ItemOutcome } from '../../eval/scoring.ts'

const usage = `Usage: aip results        --dir DIR [--suite ID] [--json]
       aip results verify --dir DIR RESULT_ID [--model DIR|FILE.gguf] [--json]
       aip results verify [--dir DIR] --file RESULT.cose [--records RECORDS.cbor] [--model DIR|FILE.gguf] [--transcript FILE] [--json]
       aip results verify-proof [--dir DIR] --file RESULT.cose PROOF.json
       aip results show   --dir DIR RESULT_ID [--json]
       aip results transcript --dir DIR RESULT_ID --out FILE

results  every BenchmarkResult this site holds, verified against this site's federation state: a table per suite
         with site, nation, model commitment, overall score, verified ✓/✗ and age (--json: one object per line).
verify   every check of specs/evaluation-v1.md §8 in order, with the reason of any failure; --model DIR also
         recomputes the weights root from a model directory and compares it. With --file, verifies a result's COSE
         bytes from a file (without --dir: no federation or store, only what the file and the bundled suite say;
         --records adds the records the publishing site gossips — suite, ModelCommitment, Transcript — as a CBOR
         sequence, e.g. from \`aip export\`, so an auditor without a site recomputes every outcome and score).
         Every check is printed: ✓ passed, ✗ failed, – skipped (with the reason). Exit 0: verified (nothing failed,
         signer certified); 1: a check failed; 4: nothing failed but the signer is not certified by a federation this
         verifier trusts (no --dir: "signature valid, signer not certified"). --transcript FILE (or, with --dir, the
         site's own run) adds check 9: every likelihood outcome recomputed from its log-probabilities, the
         transcript root, and every per-category count, score and interval (specs/evaluation-v1.md §4.5).
verify-proof  checks a proof file of one item (\`aip bench prove --json\`) against the signed result: the six steps
         of specs/evaluation-v1.md §4.4 (size, inclusion, leaf, the suite's item at index, disclosed log-probabilities
         or reply). The suite comes from DIR's store or is the bundled suite. Exit 0 iff every step passes.
show     one result: per-category scores with their 95% Wilson intervals as a text chart.
transcript  writes the transcript entries of a result (JSON Lines, §4.5) from its published Transcript records, or
         from this site's run of it.`

interface Row {
  id: string
  suite: string
  site: string
  nation: string
  model: string
  overall_ppm: number
  scores: Array<{ category: string; n: number; score_ppm: number; ci_low_ppm: number; ci_high_ppm: number }>
  item_count: number
  engine: string
  created: number
  verified: boolean
  failed: string[]
}

/** The transcript entries of a result: its published Transcript records, else this site's checkpoint of the run. */
async function transcriptOf(access: RecordAccess, id: string): Promise<ItemOutcome[] | undefined> {
  const r = await getResult(access, id).catch(() => undefined)
  if (r === undefined) return undefined
  const published = await findTranscript(access, r)
  if (published !== undefined) {
    try {
      return entriesFromRecords(published.manifest, published.chunks)
    } catch {
      return undefined
    }
  }
  const outcomes = runOutcomes(access.site.dir, r.body)
  const items = await suiteItemsFor(access, r.body.suite.toString())
  return outcomes === undefined || items === undefined || !items.every((i) => outcomes.has(i.id)) ? undefined : items.map((i) => outcomes.get(i.id)!)
}

async function context(access: RecordAccess): Promise<VerifyContext & { cache: Map<string, Awaited<ReturnType<typeof suiteItemsFor>>> }> {
  const trust = await access.trust()
  const cache = new Map<string, Awaited<ReturnType<typeof suiteItemsFor>>>()
  return {
    trust,
    cache,
    getRecord: (id) => access.get(id),
    // Check 9: the published Transcript records of the result (any site's), else this site's own checkpoint (§6).
    transcript: (id) => transcriptOf(access, id),
    suiteItems: async (id) => {
      if (!cache.has(id)) cache.set(id, await suiteItemsFor(access, id))
      return cache.get(id)
    },
  }
}

function age(ms: number): string {
  const s = Math.max(0, Math.round(ms / 1000))
  return s < 120 ? `${s}s` : s < 7200 ? `${Math.round(s / 60)}m` : s < 172800 ? `${Math.round(s / 3600)}h` : `${Math.round(s / 86400)}d`
}

function rowOf(id: string, v: Verification, ctx: VerifyContext): Row | undefined {
  const r = v.record
  if (r === undefined) return undefined
  const cert = ctx.trust?.siteAt(r.signer, r.created)
  return {
    id, suite: r.body.suite.toString(), site: Buffer.from(r.signer).toString('hex').slice(0, 12), nation: cert?.nation ?? '??',
    model: r.body.model.toString(), overall_ppm: r.body.overall_ppm, scores: r.body.scores, item_count: r.body.item_count,
    engine: `${String(r.body.engine.backend)}/${String(r.body.engine.model_name)}`, created: r.created,
    verified: v.ok, failed: v.checks.filter((c) => !c.ok).map((c) => `${c.name}: ${c.detail}`),
  }
}

async function list(argv: string[]): Promise<number> {
  const { values } = parse(argv, { dir: { type: 'string' }, suite: { type: 'string' }, json: { type: 'boolean' } }, usage)
  const access = await openRecords(siteDir(values.dir, usage))
  const rows: Row[] = []
  try {
    const ctx = await context(access)
    for await (const info of access.list({ type: 'BenchmarkResult', ...(values.suite !== undefined ? { suite: values.suite } : {}) })) {
      const bytes = await access.get(info.id)
      if (bytes === undefined) continue
      const row = rowOf(info.id, await verifyResult(bytes, ctx), ctx)
      if (row !== undefined) rows.push(row)
    }
  } finally {
    await access.close()
  }
  if (values.json) {
    for (const r of rows) console.log(JSON.stringify(r))
    return 0
  }
  if (rows.length === 0) {
    console.log('no benchmark results at this site yet (run `aip bench run`)')
    return 0
  }
  const now = Date.now()
  const bundled = bundledSuite()
  for (const suite of [...new Set(rows.map((r) => r.suite))]) {
    const name = suite === bundled.records.manifest.id ? ` (${bundled.suite.name})` : ''
    console.log(`suite ${suite}${name}`)
    console.log(`  ${'site'.padEnd(13)} ${'nation'.padEnd(6)} ${'model commitment'.padEnd(22)} ${'engine'.padEnd(22)} ${'overall'.padStart(8)} ${'items'.padStart(5)}  ok  age`)
    for (const r of rows.filter((x) => x.suite === suite).sort((a, b) => b.overall_ppm - a.overall_ppm || a.id.localeCompare(b.id))) {
      console.log(`  ${r.site.padEnd(13)} ${r.nation.padEnd(6)} ${(r.model.slice(0, 20) + '…').padEnd(22)} ${r.engine.slice(0, 22).padEnd(22)} ${(r.overall_ppm / 10_000).toFixed(2).padStart(7)}% ${String(r.item_count).padStart(5)}  ${r.verified ? '✓' : '✗'}   ${age(now - r.created)}`)
      console.log(`      ${r.scores.map((s) => `${s.category} ${(s.score_ppm / 10_000).toFixed(1)}%`).join(' · ')}`)
      for (const f of r.failed) console.log(`      ✗ ${f}`)
    }
  }
  return 0
}

async function verify(argv: string[]): Promise<number> {
  const { values, positionals } = parse(argv, { dir: { type: 'string' }, model: { type: 'string' }, file: { type: 'string' }, transcript: { type: 'string' }, records: { type: 'string' }, json: { type: 'boolean' } }, usage)
  const id = positionals[0]
  if ((id === undefined) === (values.file === undefined)) throw new UsageError(`give RESULT_ID or --file FILE\n\n${usage}`)
  if (values.records !== undefined && values.file === undefined) throw new UsageError(`--records goes with --file\n\n${usage}`)
  const modelRoot = values.model === undefined ? undefined : { root: await modelWeightsRoot(values.model), source: `the model in ${values.model}` }
  let entries: ReturnType<typeof parseEntriesJsonl> | undefined
  if (values.transcript !== undefined) {
    try {
      entries = parseEntriesJsonl(readFileSync(values.transcript, 'utf8'))
    } catch (e) {
      throw new UsageError(`${values.transcript}: ${(e as Error).message}`, 1)
    }
  }
  const fileEntries = entries === undefined ? {} : { transcript: async () => entries }
  let v: Verification
  let label: string
  if (values.file !== undefined && values.dir === undefined && process.env.AIP_DIR === undefined) {
    const bytes = new Uint8Array(readFileSync(values.file))
    const bundled = bundledSuite()
    label = values.file
    // --records: the records the publishing site gossips (suite, model commitment, transcript), as a CBOR sequence
    let held: RecordAccess | undefined
    if (values.records !== undefined) {
      try {
        held = fileRecords(recordsOfSequence(new Uint8Array(readFileSync(values.records))))
      } catch (e) {
        throw new UsageError(`${values.records}: ${(e as Error).message}`, 1)
      }
    }
    const fromRecords = held === undefined ? {} : {
      getRecord: (rid: string) => held.get(rid),
      transcript: async (rid: string) => {
        const r = decodeRecord((await held.get(rid)) ?? bytes)
        if (r.action !== 'accept' || r.record.type !== 'BenchmarkResult') return undefined
        const t = await findTranscript(held, r.record as DecodedRecord<'BenchmarkResult'>)
        try {
          return t === undefined ? undefined : entriesFromRecords(t.manifest, t.chunks)
        } catch {
          return undefined
        }
      },
    }
    v = await verifyResult(bytes, {
      suiteItems: async (sid) => (sid === bundled.records.manifest.id ? bundled.suite.items : held === undefined ? undefined : await suiteItemsFor(held, sid)),
      ...(modelRoot ? { modelWeightsRoot: modelRoot } : {}),
      ...fromRecords,
      ...fileEntries,
    })
  } else {
    const access = await openRecords(siteDir(values.dir, usage))
    try {
      const bytes = values.file !== undefined ? new Uint8Array(readFileSync(values.file)) : await access.get(id!)
      if (bytes === undefined) throw new UsageError(`no record ${id} at this site`, 1)
      label = values.file ?? id!
      const ctx = await context(access)
      if (modelRoot) ctx.modelWeightsRoot = modelRoot
      v = await verifyResult(bytes, { ...ctx, ...fileEntries })
    } finally {
      await access.close()
    }
  }
  const rid = v.record?.id ?? label
  output(values.json, { id: rid, verified: v.ok, verdict: v.verdict, checks: v.checks }, () => [
    ...v.checks.map((c) => `${c.skipped ? '–' : c.ok ? '✓' : '✗'} ${c.name.padEnd(10)} ${c.detail}`),
    v.verdict === 'verified' ? `verified: ${rid}`
      : v.verdict === 'uncertified' ? `NOT verified: signature valid, signer not certified by a federation this verifier trusts (${rid}); give --dir DIR to check against a federation`
        : `NOT verified: ${v.checks.filter((c) => !c.ok).map((c) => c.name).join(', ')} failed`,
  ].join('\n'))
  return v.verdict === 'verified' ? 0 : v.verdict === 'uncertified' ? 4 : 1
}

/** `aip results verify-proof --file RESULT.cose PROOF.json`: §4.4 for one disclosed item. */
async function verifyProof(argv: string[]): Promise<number> {
  const { values, positionals } = parse(argv, { dir: { type: 'string' }, file: { type: 'string' } }, usage)
  const proofFile = positionals[0]
  if (values.file === undefined || proofFile === undefined) throw new UsageError(`--file RESULT.cose and PROOF.json are required\n\n${usage}`)
  const bytes = new Uint8Array(readFileSync(values.file))
  let proof: ProofFile
  try {
    proof = JSON.parse(readFileSync(proofFile, 'utf8')) as ProofFile
  } catch (e) {
    throw new UsageError(`${proofFile}: not JSON (${(e as Error).message})`, 1)
  }
  const o = decodeRecord(bytes)
  const suiteId = o.action === 'accept' && o.record.type === 'BenchmarkResult' ? (o.record.body as { suite: { toString(): string } }).suite.toString() : ''
  const bundled = bundledSuite()
  let items = suiteId === bundled.records.manifest.id ? bundled.suite.items : undefined
  if (items === undefined && values.dir !== undefined) {
    const access = await openRecords(siteDir(values.dir, usage))
    try {
      items = await suiteItemsFor(access, suiteId)
    } finally {
      await access.close()
    }
  }
  if (items === undefined) throw new UsageError(`the result's suite ${suiteId} is not the bundled suite; give --dir DIR of a site holding it`, 1)
  try {
    const steps = verifyProofFile(bytes, proof, items)
    console.log([...steps.map((s) => `✓ ${s}`), `proof verified: item ${proof.item ?? items[proof.index]?.id} is leaf ${proof.index} of the signed transcript`].join('\n'))
    return 0
  } catch (e) {
    if (!(e instanceof EvalError)) throw e
    console.log(`✗ ${e.message}\nproof NOT verified`)
    return 1
  }
}

/** `aip results show ID`: one result's per-category scores and intervals as a chart. */
async function show(argv: string[]): Promise<number> {
  const { values, positionals } = parse(argv, { dir: { type: 'string' }, json: { type: 'boolean' } }, usage)
  const id = positionals[0]
  if (id === undefined) throw new UsageError(`RESULT_ID is required\n\n${usage}`)
  const access = await openRecords(siteDir(values.dir, usage))
  try {
    const r = await getResult(access, id).catch((e: unknown) => {
      throw e instanceof EvalError ? new UsageError(e.message, 1) : e
    })
    const b = r.body
    const bundled = bundledSuite()
    const suiteName = b.suite.toString() === bundled.records.manifest.id ? ` (${bundled.suite.name})` : ''
    output(values.json, { id, suite: b.suite.toString(), model: b.model.toString(), engine: b.engine, scores: b.scores, overall_ppm: b.overall_ppm }, () => [
      `result  ${id}`,
      `suite   ${b.suite.toString()}${suiteName}`,
      `model   ${String(b.engine.model_name)} ${b.model.toString()}`,
      `engine  ${String(b.engine.backend)} ${String(b.engine.version)}${b.engine.runtime !== undefined ? `, ${String(b.engine.runtime)}` : ''}${b.engine.cpu !== undefined ? `, ${String(b.engine.cpu)}` : ''}`,
      '',
      ...scoreChart(b.scores, b.overall_ppm),
    ].join('\n'))
    return 0
  } finally {
    await access.close()
  }
}

/** `aip results transcript ID --out FILE`: the entries (§4.5) of a result this site produced. */
async function transcript(argv: string[]): Promise<number> {
  const { values, positionals } = parse(argv, { dir: { type: 'string' }, out: { type: 'string' } }, usage)
  const id = positionals[0]
  if (id === undefined || values.out === undefined) throw new UsageError(`RESULT_ID and --out FILE are required\n\n${usage}`)
  const access = await openRecords(siteDir(values.dir, usage))
  try {
    const r = await getResult(access, id)
    const entries = await transcriptOf(access, id)
    const items = await suiteItemsFor(access, r.body.suite.toString())
    if (entries === undefined || items === undefined) throw new UsageError(`this site holds no transcript of ${id} (neither its Transcript records nor the run's checkpoint) or not its suite`, 1)
    const text = entriesJsonl(items, new Map(entries.map((e) => [e.id, e])))
    writeFileSync(values.out, text)
    console.log(`wrote ${values.out}: ${items.length} entries, ${Buffer.byteLength(text)} bytes`)
    return 0
  } catch (e) {
    if (e instanceof EvalError) throw new UsageError(e.message, 1)
    throw e
  } finally {
    await access.close()
  }
}

const command: Command = {
  summary: 'Show the federation\'s benchmark results (verified), or verify one',
  usage,
  async run(argv) {
    if (wantsHelp(argv)) {
      console.log(usage)
      return 0
    }
    if (argv[0] === 'verify') return verify(argv.slice(1))
    if (argv[0] === 'show') return show(argv.slice(1))
    if (argv[0] === 'verify-proof') return verifyProof(argv.slice(1))
    if (argv[0] === 'transcript') return transcript(argv.slice(1))
    return list(argv)
  },
}
export default command
