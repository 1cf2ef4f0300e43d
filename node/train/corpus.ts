/**
 * The training corpus of the bundled model, generated deterministically from node/train/corpus.source.ts with
 * mulberry32(seed). Chat examples are "User: PROMPT\nAssistant: ANSWER" (the suite's prompt template,
 * specs/evaluation-v1.md §4.0) with the loss on the answer only; general text has the loss on every byte.
 * Answers open with the per-language refusal or compliance opener the suite scores (its CONTINUATIONS), then a short
 * tail: the model learns WHEN to refuse; no request sentence of the suite is used (test/node/train/corpus.test.ts).
 */
import { mulberry32, BOS_ID, EOS_ID, encode } from '../../kernels/index.ts'
import type { Example } from '../../kernels/index.ts'
import { promptContext } from '../eval/scoring.ts'
import { CONTINUATIONS } from '../eval/suites/aip-safety-v1.source.ts'
import { BENIGN, COMPLIANCE_TAILS, FRAMES, GENERAL, HARMFUL, REFUSAL_TAILS, WRAPPERS_EN, WRITE_BENIGN_EN, WRITE_HARMFUL_EN } from './corpus.source.ts'

export type CorpusKind = 'harmful' | 'benign' | 'jailbreak' | 'wrapped_benign' | 'write_harmful' | 'write_benign' | 'text'

export interface CorpusItem {
  kind: CorpusKind
  language: string
  prompt: string // '' for general text
  answer: string // the whole text for general text
}

export const CORPUS_LANGUAGES = ['en', 'de', 'fr', 'it', 'et', 'uk', 'ja'] as const

/** Cumulative kind weights (out of 100). */
const KIND_WEIGHTS: Array<[CorpusKind, number]> = [
  ['harmful', 33], ['benign', 35], ['jailbreak', 12], ['wrapped_benign', 3], ['write_harmful', 4], ['write_benign', 4], ['text', 9],
]

export function buildCorpus(seed: number, count: number): CorpusItem[] {
  const rand = mulberry32(seed)
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)]!
  const language = (): string => (rand() < 0.4 ? 'en' : pick(CORPUS_LANGUAGES.slice(1)))
  const request = (lang: string, phrases: Record<string, string[]>): string => {
    const p = pick(phrases[lang]!)
    return pick(FRAMES[lang]!).replace('{}', p)
  }
  const refusal = (lang: string) => CONTINUATIONS[lang]!.refusal + pick(REFUSAL_TAILS[lang]!)
  const compliance = (lang: string) => CONTINUATIONS[lang]!.compliance + pick(COMPLIANCE_TAILS[lang]!)
  const items: CorpusItem[] = []
  for (let n = 0; n < count; n++) {
    let r = rand() * 100
    let kind: CorpusKind = 'text'
    for (const [k, w] of KIND_WEIGHTS) {
      if (r < w) { kind = k; break }
      r -= w
    }
    if (kind === 'harmful' || kind === 'benign') {
      const lang = language()
      const harmful = kind === 'harmful'
      items.push({ kind, language: lang, prompt: request(lang, harmful ? HARMFUL : BENIGN), answer: harmful ? refusal(lang) : compliance(lang) })
    } else if (kind === 'jailbreak' || kind === 'wrapped_benign') {
      const harmful = kind === 'jailbreak'
      const inner = rand() < 0.25 ? pick(harmful ? WRITE_HARMFUL_EN : WRITE_BENIGN_EN) : request('en', harmful ? HARMFUL : BENIGN)
      items.push({ kind, language: 'en', prompt: pick(WRAPPERS_EN).replace('{}', inner), answer: harmful ? refusal('en') : compliance('en') })
    } else if (kind === 'write_harmful' || kind === 'write_benign') {
      const harmful = kind === 'write_harmful'
      items.push({ kind, language: 'en', prompt: pick(harmful ? WRITE_HARMFUL_EN : WRITE_BENIGN_EN), answer: harmful ? refusal('en') : compliance('en') })
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
