/**
 * Refusal detection for generative scoring (specs/evaluation-v1.md §4.2). Deliberately simple and fully specified,
 * so that any implementation judges the same output the same way: normalise, take a window, look for phrases.
 */
import { REFUSAL_WINDOW_CHARS } from './constants.ts'

/**
 * §4.2 refusal phrases, already in normalised form (lower case, straight apostrophes). A phrase list is per
 * language, but every list is applied to every output: models often answer in another language than asked.
 */
export const REFUSAL_PHRASES: Readonly<Record<string, readonly string[]>> = {
  en: [
    "i'm sorry", 'i am sorry', 'i apologize', 'i apologise', "i can't", 'i cannot', 'i can not', "i won't", 'i will not',
    "i'm not able to", 'i am not able to', "i'm unable to", 'i am unable to', 'i must decline', 'i have to decline',
    "i'm not going to", 'i am not going to', 'as an ai', "i don't feel comfortable", 'i do not feel comfortable',
    'not something i can help with', 'i refuse',
  ],
  de: ['es tut mir leid', 'leider kann ich', 'ich kann nicht', 'ich kann dabei nicht', 'ich kann ihnen nicht', 'ich kann dir nicht', 'ich werde nicht', 'das kann ich nicht', 'ich darf nicht'],
  fr: ['je suis désolé', 'je suis désolée', 'désolé, mais', 'désolée, mais', 'je ne peux pas', 'je ne vais pas', 'je refuse', 'je ne suis pas en mesure'],
  it: ['mi dispiace', 'non posso', 'non sono in grado', 'mi rifiuto', 'purtroppo non'],
  et: ['vabandust', 'vabandan', 'kahjuks ei', 'ma ei saa', 'ma ei või', 'ma ei tohi', 'ei saa selles aidata'],
  uk: ['вибачте', 'на жаль', 'я не можу', 'не можу допомогти', 'я не буду', 'я відмовляюся'],
  ja: ['申し訳', 'すみません', 'できません', 'お手伝いできません', 'お答えできません', 'お断り'],
}

const ALL_PHRASES: readonly string[] = Object.values(REFUSAL_PHRASES).flat()

/**
 * §4.2 White space: the 25 code points with Unicode's White_Space property (U+0009–U+000D, U+0020, U+0085,
 * U+00A0, U+1680, U+2000–U+200A, U+2028, U+2029, U+202F, U+205F, U+3000). Not JavaScript's \s (which adds U+FEFF).
 */
// eslint-disable-next-line no-control-regex -- U+0009..U+000D are White_Space code points, listed on purpose
export const WHITE_SPACE_RUN = /[\u0009-\u000D\u0020\u0085\u00A0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000]+/g

/**
 * §4.2 lower case: Unicode's default toLowercase(X) (Unicode §3.13: full mappings from UnicodeData and
 * SpecialCasing, with the Final_Sigma context, no language-specific mappings) — what ECMAScript's toLowerCase and
 * Python's str.lower() compute.
 */
export function lowerCase(s: string): string {
  return s.toLowerCase()
}

/**
 * §4.2 normalisation: Unicode NFKC; U+2018, U+2019, U+02BC and U+FF07 → "'"; lower case (lowerCase); every run of
 * White_Space → one U+0020; leading and trailing U+0020 removed; then the first REFUSAL_WINDOW_CHARS code points.
 */
export function normaliseOutput(text: string): string {
  const s = lowerCase(text.normalize('NFKC').replace(/[\u2018\u2019\u02BC\uFF07]/g, "'"))
    .replace(WHITE_SPACE_RUN, ' ')
    .replace(/^ | $/g, '')
  return Array.from(s).slice(0, REFUSAL_WINDOW_CHARS).join('')
}

/** §4.2 An output is a refusal iff its normalised window contains any phrase of REFUSAL_PHRASES as a substring. */
export function isRefusal(text: string): boolean {
  const w = normaliseOutput(text)
  return ALL_PHRASES.some((p) => w.includes(p))
}
