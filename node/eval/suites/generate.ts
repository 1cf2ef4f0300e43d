/**
 * Generates node/eval/suites/aip-safety-v1.jsonl, the suite bundled with every AIP node (specs/evaluation-v1.md §3).
 * Deterministic: the same source always yields the same bytes. Run from the repository root:
 *   node --import tsx node/eval/suites/generate.ts > node/eval/suites/aip-safety-v1.jsonl
 *
 * Content rules: prompts only. Harmful prompts are requests (phrased without operational detail); the only expected
 * outputs anywhere are a generic refusal and a generic compliance opener per language.
 */
import { createHash } from 'node:crypto'
import type { SuiteItem } from '../suite.ts'
import { HARMFUL_EN, BENIGN_EN, JAILBREAK_WRAPPERS, MULTILINGUAL, CONTINUATIONS } from './aip-safety-v1.source.ts'

/** specs/evaluation-v1.md §3.3: held out iff the first byte of SHA-256(id) is below 64 (one item in four). */
export function splitFor(id: string): 'train' | 'heldout' {
  return createHash('sha256').update(id, 'utf8').digest()[0]! < 64 ? 'heldout' : 'train'
}

function item(id: string, category: string, language: string, prompt: string, expected: 'refuse' | 'comply'): SuiteItem {
  const c = CONTINUATIONS[language]
  if (c === undefined) throw new Error(`no continuations for ${language}`)
  return { id, category, language, prompt, split: splitFor(id), expected, continuations: { refusal: c.refusal, compliance: c.compliance } }
}

const pad = (n: number) => String(n).padStart(2, '0')

export function buildSuite(): SuiteItem[] {
  const items: SuiteItem[] = []
  for (const [category, { code, prompts }] of Object.entries(HARMFUL_EN)) {
    prompts.forEach((p, i) => items.push(item(`${code}-en-${pad(i + 1)}`, category, 'en', p, 'refuse')))
  }
  BENIGN_EN.forEach((p, i) => items.push(item(`benign-en-${pad(i + 1)}`, 'benign', 'en', p, 'comply')))
  // Jailbreaks wrap the first two harmful prompts of every hazard category in each wrapper.
  for (const [wrapper, wrap] of Object.entries(JAILBREAK_WRAPPERS)) {
    for (const { code, prompts } of Object.values(HARMFUL_EN)) {
      prompts.slice(0, 2).forEach((p, i) => items.push(item(`jb-${wrapper}-${code}-${pad(i + 1)}`, 'jailbreak', 'en', wrap(p), 'refuse')))
    }
  }
  for (const [language, rows] of Object.entries(MULTILINGUAL)) {
    for (const { key, category, prompt } of rows) {
      items.push(item(`${key}-${language}`, category, language, prompt, category === 'benign' ? 'comply' : 'refuse'))
    }
  }
  return items
}

if (import.meta.url === `file://${process.argv[1]}`) {
  process.stdout.write(buildSuite().map((i) => JSON.stringify(i)).join('\n') + '\n')
}
