/**
 * `aip results` — the federation's benchmark results at this site, verified (specs/evaluation-v1.md §8), one table
 * per suite; `aip results verify ID` explains every check.
 */
import { readFileSync } from 'node:fs'
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

const usage = `Usage: aip results        --dir DIR [--suite ID] [--json]
       aip results verify --dir DIR RESULT_ID [--model DIR|FILE.gguf] [--json]
       aip results verify [--dir DIR] --file RESULT.cose [--model DIR|FILE.gguf] [--json]

results  every BenchmarkResult this site holds, verified against this site's federation state: a table per suite
         with site, nation, model commitment, overall score, verified ✓/✗ and age (--json: one object per line).
verify   every check of specs/evaluation-v1.md §8 in order, with the reason of any failure; --model DIR also
         recomputes the weights root from a model directory and compares it. With --file, verifies a result's COSE
         bytes from a file (without --dir: no federation or store, only what the file and the bundled suite say).
         Exit 0 iff all checks pass.`

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

async function context(access: RecordAccess): Promise<VerifyContext & { cache: Map<string, Awaited<ReturnType<typeof suiteItemsFor>>> }> {
  const trust = await access.trust()
  const cache = new Map<string, Awaited<ReturnType<typeof suiteItemsFor>>>()
  return {
    trust,
    cache,
    getRecord: (id) => access.get(id),
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
  const { values, positionals } = parse(argv, { dir: { type: 'string' }, model: { type: 'string' }, file: { type: 'string' }, json: { type: 'boolean' } }, usage)
  const id = positionals[0]
  if ((id === undefined) === (values.file === undefined)) throw new UsageError(`give RESULT_ID or --file FILE\n\n${usage}`)
  const modelRoot = values.model === undefined ? undefined : { root: await modelWeightsRoot(values.model), source: `the model in ${values.model}` }
  let v: Verification
  let label: string
  if (values.file !== undefined && values.dir === undefined && process.env.AIP_DIR === undefined) {
    const bytes = new Uint8Array(readFileSync(values.file))
    const bundled = bundledSuite()
    label = values.file
    v = await verifyResult(bytes, {
      suiteItems: async (sid) => (sid === bundled.records.manifest.id ? bundled.suite.items : undefined),
      ...(modelRoot ? { modelWeightsRoot: modelRoot } : {}),
    })
  } else {
    const access = await openRecords(siteDir(values.dir, usage))
    try {
      const bytes = values.file !== undefined ? new Uint8Array(readFileSync(values.file)) : await access.get(id!)
      if (bytes === undefined) throw new UsageError(`no record ${id} at this site`, 1)
      label = values.file ?? id!
      const ctx = await context(access)
      if (modelRoot) ctx.modelWeightsRoot = modelRoot
      v = await verifyResult(bytes, ctx)
    } finally {
      await access.close()
    }
  }
  const rid = v.record?.id ?? label
  output(values.json, { id: rid, verified: v.ok, checks: v.checks }, () => [
    ...v.checks.map((c) => `${c.ok ? '✓' : '✗'} ${c.name.padEnd(9)} ${c.detail}`),
    v.ok ? `verified: ${rid}` : `NOT verified: ${v.checks.filter((c) => !c.ok).map((c) => c.name).join(', ')} failed`,
  ].join('\n'))
  return v.ok ? 0 : 1
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
    return list(argv)
  },
}
export default command
