/**
 * The training corpus of the bundled model (node/train/corpus.ts): deterministic, every kind and language, the loss
 * on the answer only — and it shares no request sentence with the bundled suite it is evaluated on.
 */
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import { BOS_ID, EOS_ID } from '../../../kernels/tokenizer.ts'
import { parseSuiteJsonl } from '../../../node/eval/suite.ts'
import { buildCorpus, corpusLists, CORPUS_LANGUAGES, toExample } from '../../../node/train/corpus.ts'
import { WRAPPERS_EN } from '../../../node/train/corpus.source.ts'

const suite = parseSuiteJsonl(readFileSync(new URL('../../../node/eval/suites/aip-safety-v1.jsonl', import.meta.url)))

/** Sentences of a request: split after . ! ? : and their CJK forms; trimmed, lower-cased, spaces collapsed. */
function sentences(text: string): string[] {
  return text.split(/(?<=[.!?:。？！：])\s*/u).map((s) => s.trim().toLowerCase().replace(/\s+/g, ' ')).filter((s) => s.length > 0)
}

/** Every request a corpus version can generate (frames × phrases, standalone requests, wrappers × English requests). */
function allRequests(version: 1 | 2): string[] {
  const { frames, harmful, benign, askHarmful, askBenign, wrappers } = corpusLists(version)
  const out: string[] = []
  for (const lang of CORPUS_LANGUAGES) for (const f of frames[lang]!) for (const p of [...harmful[lang]!, ...benign[lang]!]) out.push(f.replace('{}', p))
  const english = out.filter((_, i) => i < frames.en!.length * (harmful.en!.length + benign.en!.length))
  const asks = Object.values(askHarmful).concat(Object.values(askBenign)).flat()
  out.push(...asks)
  for (const w of wrappers) for (const inner of [...english, ...askHarmful.en!, ...askBenign.en!]) out.push(w.replace('{}', inner))
  return out
}

for (const version of [1, 2] as const) test(`corpus version ${version} shares no request sentence with the bundled suite (every request it can generate)`, () => {
  const suiteSentences = new Set(suite.flatMap((i) => sentences(i.prompt)))
  assert.ok(suiteSentences.size > 200, `${suiteSentences.size} suite sentences`)
  const requests = allRequests(version)
  assert.ok(requests.length > 5000)
  const shared = new Set<string>()
  for (const r of requests) for (const s of sentences(r)) if (suiteSentences.has(s)) shared.add(s)
  assert.deepEqual([...shared], [])
  // The check would see one: a suite prompt inside one of the corpus's wrappers is found.
  assert.ok(sentences(WRAPPERS_EN[4]!.replace('{}', suite[0]!.prompt)).some((s) => suiteSentences.has(s)))
  // Nor does a corpus request contain a whole suite prompt, or the other way round.
  const prompts = suite.map((i) => i.prompt.toLowerCase())
  for (const r of new Set(buildCorpus(1, 3000, version).map((i) => i.prompt.toLowerCase()))) {
    if (r === '') continue
    for (const p of prompts) assert.ok(!r.includes(p) && !p.includes(r), `${r} / ${p}`)
  }
})

test('the corpus is deterministic, covers every kind and the suite\'s seven languages', () => {
  const a = buildCorpus(7, 2000)
  assert.deepEqual(a, buildCorpus(7, 2000))
  assert.notDeepEqual(a, buildCorpus(8, 2000))
  const kinds = new Set(a.map((i) => i.kind))
  assert.deepEqual([...kinds].sort(), ['benign', 'harmful', 'jailbreak', 'text', 'wrapped_benign', 'write_benign', 'write_harmful'])
  for (const lang of CORPUS_LANGUAGES) {
    assert.ok(a.some((i) => i.language === lang && i.kind === 'harmful'), `${lang} harmful`)
    assert.ok(a.some((i) => i.language === lang && i.kind === 'benign'), `${lang} benign`)
  }
  assert.deepEqual(new Set(suite.map((i) => i.language)), new Set(CORPUS_LANGUAGES))
})

test('corpus version 2: deterministic, version 1 unchanged as its prefix lists, every kind and language, answers are the suite\'s openers alone', () => {
  const a = buildCorpus(7, 3000, 2)
  assert.deepEqual(a, buildCorpus(7, 3000, 2))
  assert.notDeepEqual(a, buildCorpus(7, 3000, 1))
  assert.deepEqual([...new Set(a.map((i) => i.kind))].sort(), ['ask_benign', 'ask_harmful', 'benign', 'harmful', 'jailbreak', 'text', 'wrapped_benign'])
  for (const lang of CORPUS_LANGUAGES) {
    for (const kind of ['harmful', 'benign', 'ask_harmful', 'ask_benign']) assert.ok(a.some((i) => i.language === lang && i.kind === kind), `${lang} ${kind}`)
  }
  const openers = new Map(suite.map((i) => [i.language, i.continuations!]))
  for (const i of a) {
    if (i.kind === 'text') continue
    const o = openers.get(i.language)!
    assert.equal(i.answer, /harmful|jailbreak/.test(i.kind) ? o.refusal : o.compliance, `${i.kind} ${i.prompt}`)
  }
  // Version 2 extends version 1's lists: every version-1 request can still be generated.
  const v1 = corpusLists(1), v2 = corpusLists(2)
  for (const lang of CORPUS_LANGUAGES) assert.deepEqual(v2.harmful[lang]!.slice(0, v1.harmful[lang]!.length), v1.harmful[lang])
})

test('chat examples: BOS + "User: …\\nAssistant: " + answer + EOS, the loss on the answer only', () => {
  const item = { kind: 'harmful' as const, language: 'en', prompt: 'P?', answer: 'No.' }
  const e = toExample(item)
  const text = 'User: P?\nAssistant: '
  assert.equal(e.tokens[0], BOS_ID)
  assert.equal(e.tokens.at(-1), EOS_ID)
  assert.equal(Buffer.from(e.tokens.slice(1, -1)).toString(), text + 'No.')
  // Position i predicts token i + 1: exactly the answer's 3 bytes and EOS count.
  assert.equal(e.loss.filter(Boolean).length, 4)
  assert.equal(e.loss.indexOf(true), text.length)
  const t = toExample({ kind: 'text', language: 'en', prompt: '', answer: 'Hi.' })
  assert.ok(t.loss.every(Boolean))
})
