// aip init → aip bench run (real bundled model, TS backend) → results → verify → prove, through the real CLI.
import { after, before, test } from 'node:test'
import assert from 'node:assert/strict'
import { spawn } from 'node:child_process'
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { decodeRecord } from '../../../protocol/index.ts'
import { bundledSuite } from '../../../node/eval/suite-records.ts'
import { ensureBundledModel } from '../../../kernels/bundled.ts'
import { modelWeightsRoot, openLocalEngine } from '../../../node/eval/local-engine.ts'
import { startOpenAIServer } from '../../../node/eval/openai-route.ts'

const AIP = new URL('../../../bin/aip.js', import.meta.url).pathname
let tmp: string
let dir: string
let suiteFile: string

function aip(...args: string[]): Promise<{ status: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const p = spawn(process.execPath, [AIP, ...args], { stdio: ['ignore', 'pipe', 'pipe'] })
    let stdout = '', stderr = ''
    p.stdout.on('data', (d: Buffer) => (stdout += d.toString()))
    p.stderr.on('data', (d: Buffer) => (stderr += d.toString()))
    p.on('close', (status) => resolve({ status, stdout, stderr }))
  })
}

before(async () => {
  tmp = mkdtempSync(join(tmpdir(), 'aip-bench-cli-'))
  dir = join(tmp, 'site')
  const r = await aip('init', '--dir', dir, '--nation', 'EE', '--json')
  assert.equal(r.status, 0, r.stderr)
  // A small suite of its own: 7 bundled items (every 50th), imported from JSONL.
  suiteFile = join(tmp, 'mini-suite.jsonl')
  const items = bundledSuite().suite.items.filter((_, i) => i % 50 === 0)
  writeFileSync(suiteFile, items.map((i) => JSON.stringify(i)).join('\n') + '\n')
})
after(() => rmSync(tmp, { recursive: true, force: true }))

test('a bench run killed with SIGKILL resumes from its checkpoint to the same transcript root as an uninterrupted run', async () => {
  const runs = join(dir, 'eval', 'runs')
  const p = spawn(process.execPath, [AIP, 'bench', 'run', '--dir', dir, '--suite', suiteFile, '--backend', 'ts', '--quiet'], { stdio: 'ignore' })
  const scored = () => (existsSync(runs) ? readdirSync(runs).filter((f) => f.endsWith('.jsonl')).map((f) => readFileSync(join(runs, f), 'utf8').split('\n').length - 2)[0] ?? 0 : 0)
  const t0 = Date.now()
  while (scored() < 2 && Date.now() - t0 < 120_000) await new Promise((r) => setTimeout(r, 50))
  p.kill('SIGKILL')
  await new Promise((r) => p.on('close', r))
  const done = scored()
  assert.ok(done >= 2 && done < 7, `killed after ${done} items`)
  const checkpoint = readdirSync(runs).filter((f) => f.endsWith('.jsonl'))
  assert.equal(checkpoint.length, 1)
  const before = readFileSync(join(runs, checkpoint[0]!), 'utf8').split('\n').slice(0, 1 + done)
  const resumed = await aip('bench', 'run', '--dir', dir, '--suite', suiteFile, '--backend', 'ts', '--json', '--quiet')
  assert.equal(resumed.status, 0, resumed.stderr)
  assert.deepEqual(readdirSync(runs).filter((f) => f.endsWith('.jsonl')), checkpoint, 'the same run (same suite ID) resumed')
  const after = readFileSync(join(runs, checkpoint[0]!), 'utf8').trimEnd().split('\n')
  assert.deepEqual(after.slice(0, 1 + done), before, 'the items scored before the kill were kept, not redone')
  assert.equal(after.length, 1 + 7)
  rmSync(runs, { recursive: true })
  const fresh = await aip('bench', 'run', '--dir', dir, '--suite', suiteFile, '--backend', 'ts', '--json', '--quiet')
  assert.equal(fresh.status, 0, fresh.stderr)
  const [a, b] = [resumed, fresh].map((x) => JSON.parse(x.stdout) as { transcript_root: string; overall_ppm: number; model: string; result: string })
  assert.deepEqual([b.transcript_root, b.overall_ppm, b.model], [a.transcript_root, a.overall_ppm, a.model])
  assert.notEqual(a.result, b.result, 'two signed results (different created times) of the same run')
})

test('bench run stores a signed result that results lists as verified, verify explains, prove proves', async () => {
  const partial = await aip('bench', 'run', '--dir', dir, '--suite', suiteFile, '--stop-after', '3', '--json', '--quiet')
  assert.equal(partial.status, 3, partial.stderr)
  assert.equal(JSON.parse(partial.stdout).scored, 3)

  const out = join(tmp, 'result.cose')
  const r = await aip('bench', 'run', '--dir', dir, '--suite', suiteFile, '--out', out, '--json')
  assert.equal(r.status, 0, r.stderr)
  assert.match(r.stderr, /\] 7\/7 items/, 'progress on stderr')
  const run = JSON.parse(r.stdout) as { result: string; item_count: number; stored: { action: string }; weights_root: string; model: string; transcript_root: string }
  assert.equal(run.item_count, 7)
  assert.equal(run.stored.action, 'accept')
  const cose = new Uint8Array(readFileSync(out))
  const decoded = decodeRecord(cose)
  assert.equal(decoded.action, 'accept')
  assert.equal(decoded.action === 'accept' && decoded.record.id, run.result)

  // Same model, suite and seed on the ORT backend: a fresh run (checkpoints removed) reproduces the transcript root.
  rmSync(join(dir, 'eval', 'runs'), { recursive: true })
  const again = await aip('bench', 'run', '--dir', dir, '--suite', suiteFile, '--seed', '0', '--json', '--quiet')
  assert.equal(JSON.parse(again.stdout).transcript_root, run.transcript_root)
  assert.equal(JSON.parse(again.stdout).model, run.model, 'the ModelCommitment is reused')

  const list = await aip('results', '--dir', dir, '--json')
  assert.equal(list.status, 0, list.stderr)
  const rows = list.stdout.trim().split('\n').map((l) => JSON.parse(l) as { id: string; verified: boolean; nation: string; failed: string[] })
  const mine = rows.find((x) => x.id === run.result)!
  assert.deepEqual([mine.verified, mine.nation, mine.failed], [true, 'EE', []])
  const human = await aip('results', '--dir', dir)
  assert.match(human.stdout, /suite bafkrei/)
  assert.match(human.stdout, /EE .* ✓/)

  const v = await aip('results', 'verify', '--dir', dir, run.result, '--model', await ensureBundledModel(), '--json')
  assert.equal(v.status, 0, v.stdout + v.stderr)
  const checks = (JSON.parse(v.stdout) as { checks: Array<{ name: string; ok: boolean }> }).checks
  assert.deepEqual(checks.map((c) => c.name), ['signature', 'record', 'signer', 'method', 'suite', 'scores', 'model', 'weights', 'transcript'])
  assert.ok(checks.every((c) => c.ok))

  // A third party with only the file (no site): signature, record, method, scores, weights against the model file —
  // but no federation vouches for the signer, so it is never "verified" (§8 verdict uncertified, exit 4).
  const third = await aip('results', 'verify', '--file', out, '--model', await ensureBundledModel(), '--json')
  assert.equal(third.status, 4, third.stdout + third.stderr)
  const tj = JSON.parse(third.stdout) as { verdict: string; checks: Array<{ name: string; ok: boolean; skipped?: boolean }> }
  assert.equal(tj.verdict, 'uncertified')
  assert.deepEqual(tj.checks.filter((c) => c.skipped).map((c) => c.name), ['signer', 'suite', 'model', 'transcript'])
  const thirdText = await aip('results', 'verify', '--file', out)
  assert.equal(thirdText.status, 4)
  assert.match(thirdText.stdout, /– signer +skipped: /)
  assert.match(thirdText.stdout, /NOT verified: signature valid, signer not certified/)
  // Published transcript: a stranger recomputes every outcome, the root, the scores and intervals from it (check 9).
  const tfile = join(tmp, 'transcript.jsonl')
  const tr = await aip('results', 'transcript', '--dir', dir, run.result, '--out', tfile)
  assert.equal(tr.status, 0, tr.stderr)
  // Without the (imported) suite a file-only verifier can say why it cannot run check 9; with the site's records
  // (--dir: suite, Transcript records) it recomputes every outcome, the root, the scores and intervals.
  const noSuite = JSON.parse((await aip('results', 'verify', '--file', out, '--transcript', tfile, '--json')).stdout) as { checks: Array<{ name: string; skipped?: boolean; detail: string }> }
  assert.match(noSuite.checks.find((c) => c.name === 'transcript')!.detail, /skipped: the transcript needs the suite/)
  const withT = await aip('results', 'verify', '--dir', dir, run.result, '--json')
  const wj = JSON.parse(withT.stdout) as { checks: Array<{ name: string; ok: boolean; skipped?: boolean; detail: string }> }
  const t9 = wj.checks.find((c) => c.name === 'transcript')!
  assert.deepEqual([t9.ok, t9.skipped ?? false], [true, false], t9.detail)
  assert.match(t9.detail, /7 likelihood outcomes recomputed/)
  // An auditor with no site: the result file plus the records the site gossips (aip export) recompute everything too
  const recs = join(tmp, 'gossiped.cbor')
  const exp = await aip('export', '--dir', dir, '--type', 'BenchmarkSuite', '--type', 'BenchmarkSuiteChunk', '--type', 'ModelCommitment', '--type', 'Transcript', '--type', 'TranscriptChunk', '--out', recs)
  assert.equal(exp.status, 0, exp.stderr)
  const auditor = await aip('results', 'verify', '--file', out, '--records', recs, '--json')
  assert.equal(auditor.status, 4, auditor.stdout + auditor.stderr) // nothing failed; no federation vouches for the signer
  const aj = JSON.parse(auditor.stdout) as { checks: Array<{ name: string; ok: boolean; skipped?: boolean; detail: string }> }
  assert.deepEqual(aj.checks.filter((c) => c.skipped).map((c) => c.name), ['signer', 'weights']) // weights: give --model
  assert.match(aj.checks.find((c) => c.name === 'transcript')!.detail, /7 likelihood outcomes recomputed/)
  const lines = readFileSync(tfile, 'utf8').split('\n')
  const e0 = JSON.parse(lines[0]!) as { outcome: string }
  lines[0] = JSON.stringify({ ...e0, outcome: e0.outcome === 'refuse' ? 'comply' : 'refuse' })
  writeFileSync(tfile, lines.join('\n'))
  const forged = await aip('results', 'verify', '--dir', dir, '--file', out, '--transcript', tfile)
  assert.equal(forged.status, 1)
  assert.match(forged.stdout, /✗ transcript +.*give (refuse|comply), the entry says/)
  const shown = await aip('results', 'show', '--dir', dir, run.result)
  assert.equal(shown.status, 0, shown.stderr)
  assert.match(shown.stdout, /95% Wilson/)
  assert.match(shown.stdout, /├[─●]*●[─●]*┤|●/)
  // Tampering: one flipped payload byte breaks the signature; the verdict names it.
  const tampered = new Uint8Array(cose)
  tampered[tampered.length - 80]! ^= 0x01
  writeFileSync(join(tmp, 'tampered.cose'), tampered)
  const t = await aip('results', 'verify', '--file', join(tmp, 'tampered.cose'))
  assert.equal(t.status, 1)
  assert.match(t.stdout, /✗ (signature|record) /)
  assert.match(t.stdout, /NOT verified/)

  const item = bundledSuite().suite.items[50]!.id
  const p = await aip('bench', 'prove', '--dir', dir, run.result, item, '--json')
  assert.equal(p.status, 0, p.stderr)
  const proof = JSON.parse(p.stdout) as { verifies: boolean; index: number; size: number; root: string }
  assert.deepEqual([proof.verifies, proof.index, proof.size, proof.root], [true, 1, 7, run.transcript_root])
  // §4.4 a verifier's six steps on the proof file; an index pointing at another suite item fails step 4 or 2.
  const proofFile = join(tmp, 'proof.json')
  writeFileSync(proofFile, p.stdout)
  const vp = await aip('results', 'verify-proof', '--dir', dir, '--file', out, proofFile)
  assert.equal(vp.status, 0, vp.stdout + vp.stderr)
  assert.match(vp.stdout, /✓ suite item at index has the leaf's id\n✓ likelihood outcome recomputed\nproof verified/)
  writeFileSync(proofFile, JSON.stringify({ ...(JSON.parse(p.stdout) as object), index: 2 }))
  const bad = await aip('results', 'verify-proof', '--dir', dir, '--file', out, proofFile)
  assert.equal(bad.status, 1)
  assert.match(bad.stdout, /✗ .*\nproof NOT verified/)
})

test('bad flags, unknown suites, disallowed engines and malformed JSONL are clear errors', async () => {
  const bad = await aip('bench', 'run', '--dir', dir, '--backend', 'gpu')
  assert.equal(bad.status, 2)
  assert.match(bad.stderr, /--backend must be ts or ort/)
  const noSuite = await aip('bench', 'run', '--dir', dir, '--suite', 'bafkreinothere', '--quiet')
  assert.equal(noSuite.status, 1)
  assert.match(noSuite.stderr, /SUITE_MALFORMED/)
  const external = await aip('bench', 'run', '--dir', dir, '--engine-url', 'http://10.9.9.9:8000', '--engine-model', 'm', '--commitment', 'bafkreinothere')
  assert.equal(external.status, 1)
  const imported = await aip('bench', 'import', '--dir', dir, suiteFile, '--json')
  assert.equal(imported.status, 0, imported.stderr)
  assert.match((JSON.parse(imported.stdout) as { suite: string }).suite, /^bafkrei/)
  const badJsonl = join(tmp, 'bad.jsonl')
  writeFileSync(badJsonl, '{"id":"a"}\nnot json\n')
  const imp = await aip('bench', 'run', '--dir', dir, '--suite', badJsonl, '--quiet')
  assert.equal(imp.status, 1)
  assert.match(imp.stderr, /line 1: .*; line 2: invalid JSON/)
  const imp2 = await aip('bench', 'import', '--dir', dir, badJsonl)
  assert.equal(imp2.status, 1)
  assert.match(imp2.stderr, /2 bad line\(s\); nothing imported\n {2}line 1: .*\n {2}line 2: invalid JSON/)
  // A lone surrogate and a repeated member name: line-numbered errors, no stack trace (§2.1).
  const hostile = join(tmp, 'hostile.jsonl')
  writeFileSync(hostile, '{"id":"a","category":"c","language":"en","prompt":"\\ud800","split":"train","expected":"refuse"}\n{"id":"b","id":"c","category":"c","language":"en","prompt":"p","split":"train","expected":"refuse"}\n')
  const imp3 = await aip('bench', 'import', '--dir', dir, hostile)
  assert.equal(imp3.status, 1)
  assert.match(imp3.stderr, /line 1: item.prompt holds a lone surrogate[^\n]*\n {2}line 2: repeated member name "id"/)
  assert.doesNotMatch(imp3.stderr, /at .*\.ts:\d+/)
})

test('an external OpenAI-compatible engine on loopback is evaluated and bound to the operator\'s weights root', async () => {
  const { engine, dir: modelDir } = await openLocalEngine(undefined, 'ts')
  const { server, url } = await startOpenAIServer(engine)
  try {
    const tiny = join(tmp, 'tiny.jsonl')
    const all = bundledSuite().suite.items
    writeFileSync(tiny, ['vc-en-01', 'benign-en-01', 'ml-benign-01-et'].map((id) => JSON.stringify(all.find((i) => i.id === id))).join('\n') + '\n')
    const root = Buffer.from(await modelWeightsRoot(modelDir)).toString('hex')
    const r = await aip('bench', 'run', '--dir', dir, '--suite', tiny, '--engine-url', url, '--engine-model', 'aip-tiny-moe', '--weights-root', root, '--json', '--quiet')
    assert.equal(r.status, 0, r.stderr)
    const run = JSON.parse(r.stdout) as { result: string; engine: { backend: string }; weights_root: string; item_count: number }
    assert.deepEqual([run.engine.backend, run.weights_root, run.item_count], ['openai', root, 3])
    const v = await aip('results', 'verify', '--dir', dir, run.result, '--model', modelDir)
    assert.equal(v.status, 0, v.stdout + v.stderr)
    assert.match(v.stdout, /✓ weights +weights_root [0-9a-f]{16}… matches the model in/)
    const gen = await aip('bench', 'run', '--dir', dir, '--suite', tiny, '--mode', 'generative', '--max-tokens', '6', '--engine-url', url, '--engine-model', 'aip-tiny-moe', '--weights-root', root, '--json', '--quiet')
    assert.equal(gen.status, 0, gen.stderr)
    assert.equal((JSON.parse(gen.stdout) as { decoding: { mode: string } }).decoding.mode, 'generative')
  } finally {
    server.closeAllConnections()
    await new Promise<void>((res) => server.close(() => res()))
    await engine.close()
  }
})
