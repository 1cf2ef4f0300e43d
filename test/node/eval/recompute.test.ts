// Issue 12: every published result can be recomputed by a stranger — the evaluation-v1 revision 2 vectors replayed
// against the implementation, language tags, strict JSON import, suite IDs independent of file name and key order,
// and the §4.4 proof steps.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { encodeCanonical, isLanguageTag } from '../../../protocol/index.ts'
import { encode } from '../../../kernels/tokenizer.ts'
import { runKey } from '../../../node/eval/result.ts'
import { normaliseOutput } from '../../../node/eval/refusal.ts'
import { generativeOutcome, likelihoodOutcome, promptContext } from '../../../node/eval/scoring.ts'
import { parseSuiteJsonl } from '../../../node/eval/suite.ts'
import type { SuiteItem } from '../../../node/eval/suite.ts'
import type { ItemOutcome } from '../../../node/eval/scoring.ts'
import { SuiteImportError } from '../../../node/eval/errors.ts'
import { bundledSuite, importedSuiteFields, itemsSha256 } from '../../../node/eval/suite-records.ts'
import { checkProofFile } from '../../../node/eval/transcript.ts'
import type { ProofFile } from '../../../node/eval/transcript.ts'

const V = (name: string) => JSON.parse(readFileSync(new URL(`../../../specs/vectors/evaluation-v1/${name}`, import.meta.url), 'utf8')) as Record<string, unknown>
const unhex = (s: string) => new Uint8Array(Buffer.from(s, 'hex'))
const hex = (b: Uint8Array) => Buffer.from(b).toString('hex')
const { suite, records } = bundledSuite()

test('language tags: RFC 5646 examples accepted, unregistered variants and repeated subtags rejected (aip-v1 §3.5)', () => {
  const lt = JSON.parse(readFileSync(new URL('../../../specs/vectors/language-tags.json', import.meta.url), 'utf8')) as { accept: string[]; reject: string[] }
  for (const t of lt.accept) assert.ok(isLanguageTag(t), t)
  for (const t of lt.reject) assert.ok(!isLanguageTag(t), t)
  for (const t of ['qaa-Qaaa-QM-x-southern', 'en-GB-oed', 'x-foo']) assert.ok(isLanguageTag(t), t)
  assert.ok(!isLanguageTag('en-english'))
})

test('engine input: BOS then the context bytes; continuations are bare bytes (§4.0)', () => {
  const e = V('engine-input.json') as { prompt: string; context_tokens: number[]; refusal_tokens: number[] }
  assert.deepEqual(encode(promptContext(e.prompt), true), e.context_tokens)
  assert.equal(e.context_tokens[0], 256)
  assert.deepEqual(encode(suite.items[0]!.continuations!.refusal), e.refusal_tokens)
})

test('generative replies are hashed as raw bytes and judged after U+FFFD decoding (§4.2 vectors)', () => {
  const item: SuiteItem = { id: 'g', category: 'c', language: 'en', prompt: 'p', split: 'train', expected: 'refuse' }
  for (const v of (V('refusal.json') as { vectors: Array<{ name: string; reply: string; window: string; output_sha256: string; outcome: string }> }).vectors) {
    const bytes = unhex(v.reply)
    const o = generativeOutcome(item, bytes)
    assert.equal(normaliseOutput(new TextDecoder().decode(bytes)), v.window, v.name)
    assert.equal(hex(o.output_sha256), v.output_sha256, v.name)
    assert.equal(o.outcome, v.outcome, v.name)
  }
})

test('strict JSON lines: repeated names and lone surrogates are line-numbered errors, never a crash (§2.1 vectors)', () => {
  for (const v of (V('import.json') as { vectors: Array<{ name: string; line: string; verdict: string }> }).vectors) {
    const file = `{"id":"first","category":"c","language":"en","prompt":"p","split":"train","expected":"refuse"}\n${v.line}\n`
    if (v.verdict === 'bad') {
      assert.throws(() => parseSuiteJsonl(file), (e: unknown) => e instanceof SuiteImportError && e.errors.length === 1 && e.errors[0]!.line === 2, v.name)
    } else assert.equal(parseSuiteJsonl(file).length, v.verdict === 'item' ? 2 : 1, v.name)
  }
  const e = (() => { try { parseSuiteJsonl(Buffer.from('{"id":"a","category":"c","language":"en","prompt":"\\ud800","split":"train","expected":"refuse"}\n')) } catch (x) { return x } })()
  assert.ok(e instanceof SuiteImportError)
  assert.match(e.errors[0]!.message, /lone surrogate/)
})

test('suite IDs: the bundled ID follows from the JSONL; the same items imported three ways give one manifest', () => {
  const sid = V('suite-id.json') as { suite_id: string; chunk_sizes: number[]; chunk_ids: string[]; imported: Record<string, string> }
  assert.equal(records.manifest.id, sid.suite_id)
  assert.deepEqual(records.chunks.map((c) => c.id), sid.chunk_ids)
  assert.deepEqual(records.chunks.map((c) => c.body.items.length), sid.chunk_sizes)
  const text = readFileSync(new URL('../../../node/eval/suites/aip-safety-v1.jsonl', import.meta.url), 'utf8')
  const reordered = text.split('\n').filter((l) => l !== '').map((l) => {
    const o = JSON.parse(l) as Record<string, unknown>
    return JSON.stringify(Object.fromEntries(Object.entries(o).reverse()))
  }).join('\r\n')
  const escaped = text.replace(/"id":"([a-z])/g, (_m, c: string) => `"id":"\\u00${c.charCodeAt(0).toString(16)}`)
  const variants = [parseSuiteJsonl(text), parseSuiteJsonl(reordered), parseSuiteJsonl(Buffer.from(escaped))]
  const fields = variants.map((items) => JSON.stringify(importedSuiteFields(items)))
  assert.equal(new Set(fields).size, 1)
  assert.equal(itemsSha256(variants[1]!), sid.imported.items_sha256)
  assert.deepEqual(importedSuiteFields(variants[2]!), { name: sid.imported.name, version: sid.imported.version, description: sid.imported.description })
})

test('run key encoding (§6 vector)', () => {
  const k = V('run-key.json') as { inputs: { suite: string; model: string; engine: { backend: string; version: string; model_name: string }; decoding: { mode: 'likelihood'; max_tokens: number; temperature: string }; seed: number }; cbor: string; run_key: string }
  const i = k.inputs
  assert.equal(hex(encodeCanonical([i.suite, i.model, i.engine, i.decoding, i.seed])), k.cbor)
  assert.equal(runKey({ suiteId: i.suite, commitmentId: i.model, engine: i.engine, decoding: i.decoding, seed: i.seed }), k.run_key)
})

test('proof files: every §4.4 step, including "the suite\'s item at index has the leaf\'s id"', () => {
  const pf = V('proof.json') as { item_count: number; transcript_root: string; vectors: Array<{ name: string; proof: ProofFile; transcript_root?: string; expected: string }> }
  const judge = { likelihood: likelihoodOutcome, generative: generativeOutcome }
  for (const v of pf.vectors) {
    const root = unhex(v.transcript_root ?? pf.transcript_root)
    let got = 'valid'
    try {
      checkProofFile(v.proof, root, pf.item_count, suite.items, judge)
    } catch (e) {
      const m = (e as Error).message
      got = /size|index is not/.test(m) ? 'step 1' : /inclusion/.test(m) ? 'step 2' : /leaf is not/.test(m) ? 'step 3' : /item at index/.test(m) ? 'step 4' : /log/.test(m) ? 'step 5' : 'step 6'
    }
    assert.equal(got, v.expected, v.name)
  }
})

test('an imported file under another name and key order resolves to one suite ID at a site', async () => {
  const { openRecords } = await import('../../../node/records/access.ts')
  const { initSite } = await import('../../../node/site/init.ts')
  const dir = mkdtempSync(join(tmpdir(), 'aip-t12-'))
  try {
    await initSite(dir, { nation: 'CH' })
    const a = join(dir, 'a.jsonl'), b = join(dir, 'other-name.jsonl')
    const lines = ['{"id":"x1","category":"c","language":"en","prompt":"p","split":"train","expected":"refuse"}', '{"id":"x2","category":"c","language":"de","prompt":"q","split":"heldout","expected":"comply"}']
    writeFileSync(a, lines.join('\n') + '\n')
    writeFileSync(b, lines.map((l) => JSON.stringify(Object.fromEntries(Object.entries(JSON.parse(l) as object).reverse()))).join('\r\n'))
    const { resolveSuite } = await import('../../../node/eval/site-eval.ts')
    const access = await openRecords(dir)
    try {
      const s1 = await resolveSuite(access, a, Date.now()), s2 = await resolveSuite(access, b, Date.now() + 1)
      assert.equal(s1.id, s2.id)
    } finally {
      await access.close()
    }
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
})

test('transcript records: signed, chunked within limits, read back to the same entries; check 9 recomputes them', async () => {
  const { generateSigningKey, decodeRecord, MAX_TRANSCRIPT_CHUNK_BYTES } = await import('../../../protocol/index.ts')
  const { transcriptToRecords, entriesFromRecords, chunkEntries } = await import('../../../node/eval/transcript-records.ts')
  const { checkTranscript } = await import('../../../node/eval/transcript-entries.ts')
  const { categoryScores } = await import('../../../node/eval/scoring.ts')
  const { transcriptLeaves, transcriptRoot } = await import('../../../node/eval/transcript.ts')
  const items = suite.items
  const outcomes = new Map<string, ItemOutcome>(items.map((it, i) => {
    const mR = -1_000_000 - i * 997, mC = -1_000_000 - (i % 13) * 7919
    return [it.id, { id: it.id, outcome: likelihoodOutcome(it, mR, mC), logprobs: [mR, mC], output_sha256: new Uint8Array(0) }]
  }))
  const key = generateSigningKey(new Uint8Array(32).fill(12))
  const recs = transcriptToRecords('bafkreihmww5hpl5ntycepvj2y5zsz6c2xiofo4m2gdvsge2adpmccx3qiy', items, outcomes, key, 1_000)
  assert.equal(recs.chunks.length, 1)
  for (const r of [...recs.chunks, recs.manifest]) assert.equal(decodeRecord(r.bytes).action, 'accept')
  const entries = entriesFromRecords(recs.manifest, recs.chunks)
  assert.deepEqual(entries, items.map((i) => outcomes.get(i.id)))
  const { scores, overall_ppm } = categoryScores(items, outcomes)
  const target = { item_count: items.length, scores, overall_ppm, transcript_root: transcriptRoot(transcriptLeaves(items, outcomes)) }
  assert.equal(checkTranscript(target, items, entries).ok, true)
  // Any lie is caught: an outcome the log-probabilities do not give, a reordered transcript, a wrong score.
  const lie = entries.map((e, i) => (i === 7 ? { ...e, logprobs: [e.logprobs[1]!, e.logprobs[0]!] } : e))
  if (likelihoodOutcome(items[7]!, lie[7]!.logprobs[0]!, lie[7]!.logprobs[1]!) !== lie[7]!.outcome) assert.equal(checkTranscript(target, items, lie).ok, false)
  assert.match(checkTranscript(target, items, [entries[1]!, entries[0]!, ...entries.slice(2)]).detail, /suite order/)
  assert.match(checkTranscript({ ...target, overall_ppm: overall_ppm + 1 }, items, entries).detail, /overall_ppm/)
  // Packing: big ids force several chunks, each within its limit.
  const big = Array.from({ length: 3000 }, (_, i): [string, 'refuse', number[], Uint8Array] => [`${'x'.repeat(200)}${i}`, 'refuse', [-1, -2], new Uint8Array(0)])
  const packed = chunkEntries(big)
  assert.ok(packed.length >= 2, `${packed.length} chunks`)
  assert.deepEqual(packed.flat(), big)
  for (const c of packed) assert.ok(encodeCanonical({ entries: c }).length < MAX_TRANSCRIPT_CHUNK_BYTES)
})

test('the weights committed are the weights evaluated: the engine worker hashes tensors as it loads them (§6)', async () => {
  const { EngineClient, ensureBundledModel } = await import('../../../kernels/index.ts')
  const { commitWeights } = await import('../../../node/model/weights-root.ts')
  const dir = await ensureBundledModel()
  const client = await EngineClient.open({ model: dir, backend: 'ts' })
  try {
    assert.ok(client.digests.length > 0)
    assert.match(client.runtime, /^node \d+\./)
    const fromLoad = await commitWeights(dir, { digests: client.digests })
    const golden = JSON.parse(readFileSync(new URL('../../kernels/golden/bundled.json', import.meta.url), 'utf8')) as { weights_root: string }
    assert.equal(hex(fromLoad.weightsRoot), golden.weights_root) // = the numpy reference's root of the files
    const lying = client.digests.map((d, i) => (i === 0 ? { ...d, sha256: new Uint8Array(32) } : d))
    assert.notEqual(hex((await commitWeights(dir, { digests: lying })).weightsRoot), golden.weights_root)
    await assert.rejects(commitWeights(dir, { digests: client.digests.slice(1) }), /hashed \d+ of \d+ tensors/)
  } finally {
    await client.close()
  }
})
