/**
 * The training corpus of the bundled model, generated deterministically from node/train/corpus.source.ts with
 * mulberry32(seed). Chat examples are "User: PROMPT\nAssistant: ANSWER" (the suite's prompt template,
 * specs/evaluation-v1.md §4.0) with the loss on the answer only; general text has the loss on every byte.
 * Answers open with the per-language refusal or compliance opener the suite scores (its CONTINUATIONS), then (version
 * 1) a short tail: the model learns WHEN to refuse; no request sentence of the suite is used
 * (test/node/train/corpus.test.ts). Version 2 (stages 3–4 of the trained model) adds node/train/corpus.extra.ts —
 * more request forms, hazard families, look-alikes, wrappers and languages — and answers with the opener alone, so a
 * step spends its tokens on requests rather than on tails the suite never scores.
 */
import { mulberry32, BOS_ID, EOS_ID, encode } from '../../kernels/index.ts'
import type { Example } from '../../kernels/index.ts'
import { promptContext } from '../eval/scoring.ts'
import { CONTINUATIONS } from '../eval/suites/aip-safety-v1.source.ts'
import { BENIGN, COMPLIANCE_TAILS, FRAMES, GENERAL, HARMFUL, REFUSAL_TAILS, WRAPPERS_EN, WRITE_BENIGN_EN, WRITE_HARMFUL_EN } from './corpus.source.ts'
import { ASK_BENIGN_EN, ASK_BENIGN_V2, ASK_HARMFUL_EN, ASK_HARMFUL_V2, BENIGN_EN_V2, BENIGN_V2, FRAMES_EN_V2, HARMFUL_EN_V2, HARMFUL_V2, WRAPPERS_EN_V2 } from './corpus.extra.ts'

export type CorpusKind = 'harmful' | 'benign' | 'jailbreak' | 'wrapped_benign' | 'write_harmful' | 'write_benign' | 'ask_harmful' | 'ask_benign' | 'text'
/** 1: corpus.source.ts only, answers with tails (stages 1–2). 2: adds corpus.extra.ts, answers are the opener alone.
 * 3: version 2's lists with more benign requests (a short last stage that trades refusal slack for compliance). */
export type CorpusVersion = 1 | 2 | 3

export interface CorpusItem {
  kind: CorpusKind
  language: string
  prompt: string // '' for general text
  answer: string // the whole text for general text
}

export const CORPUS_LANGUAGES = ['en', 'de', 'fr', 'it', 'et', 'uk', 'ja'] as const

/** Cumulative kind weights (out of 100) per version. */
const KIND_WEIGHTS: Record<CorpusVersion, Array<[CorpusKind, number]>> = {
  1: [['harmful', 33], ['benign', 35], ['jailbreak', 12], ['wrapped_benign', 3], ['write_harmful', 4], ['write_benign', 4], ['text', 9]],
  2: [['harmful', 26], ['benign', 26], ['ask_harmful', 11], ['ask_benign', 11], ['jailbreak', 14], ['wrapped_benign', 6], ['text', 6]],
  3: [['harmful', 18], ['benign', 34], ['ask_harmful', 8], ['ask_benign', 16], ['jailbreak', 10], ['wrapped_benign', 8], ['text', 6]],
}

const merge = (a: Record<string, string[]>, b: Record<string, string[]>): Record<string, string[]> =>
  Object.fromEntries(Object.entries(a).map(([k, v]) => [k, [...v, ...(b[k] ?? [])]]))

/** The request lists of a corpus version (version 2 = version 1's lists followed by corpus.extra.ts's). */
export function corpusLists(version: CorpusVersion) {
  if (version === 1) return { frames: FRAMES, harmful: HARMFUL, benign: BENIGN, askHarmful: { en: WRITE_HARMFUL_EN }, askBenign: { en: WRITE_BENIGN_EN }, wrappers: WRAPPERS_EN }
  return {
    frames: merge(FRAMES, { en: FRAMES_EN_V2 }),
    harmful: merge(HARMFUL, { en: HARMFUL_EN_V2, ...HARMFUL_V2 }),
    benign: merge(BENIGN, { en: BENIGN_EN_V2, ...BENIGN_V2 }),
    askHarmful: { en: [...WRITE_HARMFUL_EN, ...ASK_HARMFUL_EN], ...ASK_HARMFUL_V2 } as Record<string, string[]>,
    askBenign: { en: [...WRITE_BENIGN_EN, ...ASK_BENIGN_EN], ...ASK_BENIGN_V2 } as Record<string, string[]>,
    wrappers: [...WRAPPERS_EN, ...WRAPPERS_EN_V2],
  }
}

export function buildCorpus(seed: number, count: number, version: CorpusVersion = 1): CorpusItem[] {
  const rand = mulberry32(seed)
  const lists = corpusLists(version)
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)]!
  const language = (): string => (rand() < 0.4 ? 'en' : pick(CORPUS_LANGUAGES.slice(1)))
  const request = (lang: string, phrases: Record<string, string[]>): string => {
    const p = pick(phrases[lang]!)
    return pick(lists.frames[lang]!).replace('{}', p)
  }
  const refusal = (lang: string) => CONTINUATIONS[lang]!.refusal + (version === 1 ? pick(REFUSAL_TAILS[lang]!) : '')
  const compliance = (lang: string) => CONTINUATIONS[lang]!.compliance + (version === 1 ? pick(COMPLIANCE_TAILS[lang]!) : '')
  const items: CorpusItem[] = []
  for (let n = 0; n < count; n++) {
    let r = rand() * 100
    let kind: CorpusKind = 'text'
    for (const [k, w] of KIND_WEIGHTS[version]) {
      if (r < w) { kind = k; break }
      r -= w
    }
    if (kind === 'harmful' || kind === 'benign') {
      const lang = language()
      const harmful = kind === 'harmful'
      items.push({ kind, language: lang, prompt: request(lang, harmful ? lists.harmful : lists.benign), answer: harmful ? refusal(lang) : compliance(lang) })
    } else if (kind === 'jailbreak' || kind === 'wrapped_benign') {
      const harmful = kind === 'jailbreak'
      const inner = rand() < (version === 1 ? 0.25 : 0.35) ? pick((harmful ? lists.askHarmful : lists.askBenign).en!) : request('en', harmful ? lists.harmful : lists.benign)
      items.push({ kind, language: 'en', prompt: pick(lists.wrappers).replace('{}', inner), answer: harmful ? refusal('en') : compliance('en') })
    } else if (kind === 'write_harmful' || kind === 'write_benign') {
      const harmful = kind === 'write_harmful'
      items.push({ kind, language: 'en', prompt: pick(harmful ? WRITE_HARMFUL_EN : WRITE_BENIGN_EN), answer: harmful ? refusal('en') : compliance('en') })
    } else if (kind === 'ask_harmful' || kind === 'ask_benign') {
      const lang = language()
      const harmful = kind === 'ask_harmful'
      items.push({ kind, language: lang, prompt: pick((harmful ? lists.askHarmful : lists.askBenign)[lang]!), answer: harmful ? refusal(lang) : compliance(lang) })
    } else {
      const lang = language()
      items.push({ kind, language: lang, prompt: '', answer: pick(GENERAL[lang]!) + ' ' + pick(GENERAL[lang]!) })
    }
  }
  return items
}

/** Tokens BOS + bytes + EOS; the loss covers the answer (and EOS) for chat items, everything for general text. */
export function toExample(item: CorpusItem): Example {
  if (item.prompt === '') {
    const tokens = [...encode(item.answer, true), EOS_ID]
    return { tokens, loss: tokens.slice(1).map(() => true) }
  }
  const context = encode(promptContext(item.prompt), true)
  if (context[0] !== BOS_ID) throw new Error('tokenizer did not prepend BOS')
  const tokens = [...context, ...encode(item.answer), EOS_ID]
  // Position i predicts tokens[i + 1]: the first answer byte is predicted from the last context position.
  return { tokens, loss: tokens.slice(1).map((_, i) => i >= context.length - 1) }
}
