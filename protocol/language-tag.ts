/**
 * Language tags (spec §3.5): RFC 5646 §2.1 well-formed tags, with the validity rules that need no registry lookup
 * of languages or regions (§2.2.5 no repeated variant, §2.2.6 no repeated extension singleton) and every variant
 * subtag registered in the IANA Language Subtag Registry (File-Date REGISTRY_FILE_DATE). Case-insensitive.
 * Pure: used by the record layer (SuiteItem, alignment items) and by suite import (specs/evaluation-v1.md §2.2).
 */
import { MAX_LANGUAGE_TAG_BYTES } from './constants.ts'

/** File-Date of the IANA Language Subtag Registry the variant list below was taken from. */
export const REGISTRY_FILE_DATE = '2025-08-25'

/** Every `Type: variant` subtag of that registry (lower case). */
export const REGISTERED_VARIANTS: ReadonlySet<string> = new Set((
  '1606nict 1694acad 1901 1959acad 1994 1996 abl1943 akhmimic akuapem alalc97 aluku anpezo ao1990 aranes arevela ' +
  'arevmda arkaika asante auvern baku1926 balanka barla basiceng bauddha bciav bcizbl biscayan biske blasl bohairic ' +
  'bohoric boont bornholm cisaup colb1945 cornu creiss dajnko ekavsk emodeng fascia fayyumic fodom fonipa fonkirsh ' +
  'fonnapa fonupa fonxsamp gallo gascon gherd grclass grital grmistr hanoi hepburn heploc hognorsk hsistemo huett ' +
  'ijekavsk itihasa ivanchov jauer jyutping kkcor kleinsch kociewie kscor laukika leidentr lemosin lengadoc lipaw ' +
  'ltg1929 ltg2007 luna1918 lycopol mdcegyp mdctrans mesokem metelko monoton ndyuka nedis newfound nicard njiva nulik ' +
  'osojs oxendict pahawh2 pahawh3 pahawh4 pamaka peano pehoeji petr1708 pinyin polyton provenc puter rigik rozaj ' +
  'rumgr sahidic saigon scotland scouse simple solba sotav spanglis surmiran sursilv sutsilv synnejyl tailo tarask ' +
  'tongyong tunumiit uccor ucrcor ulster unifon vaidika valbadia valencia vallader vecdruka viennese vivaraup wadegile ' +
  'xsistemo').split(' '))

/** RFC 5646 §2.1 `grandfathered` (irregular and regular), lower case. */
export const GRANDFATHERED: ReadonlySet<string> = new Set((
  'en-gb-oed i-ami i-bnn i-default i-enochian i-hak i-klingon i-lux i-mingo i-navajo i-pwn i-tao i-tay i-tsu ' +
  'sgn-be-fr sgn-be-nl sgn-ch-de art-lojban cel-gaulish no-bok no-nyn zh-guoyu zh-hakka zh-min zh-min-nan zh-xiang').split(' '))

const ALPHA = /^[a-z]+$/
const DIGIT = /^[0-9]+$/
const ALNUM = /^[a-z0-9]+$/
const alpha = (s: string, min: number, max: number) => s.length >= min && s.length <= max && ALPHA.test(s)
const alnum = (s: string, min: number, max: number) => s.length >= min && s.length <= max && ALNUM.test(s)

/** RFC 5646 §2.1 `privateuse` = "x" 1*("-" (1*8alphanum)), as subtags (lower case). */
function privateUse(t: readonly string[]): boolean {
  return t.length >= 2 && t[0] === 'x' && t.slice(1).every((s) => alnum(s, 1, 8))
}

/** RFC 5646 §2.1 `langtag`, plus §2.2.5/§2.2.6 uniqueness and registered variants. */
function langtag(t: readonly string[]): boolean {
  let i = 0
  const lang = t[i++]!
  if (alpha(lang, 2, 3)) {
    for (let e = 0; e < 3 && i < t.length && alpha(t[i]!, 3, 3); e++) i++ // extlang = 3ALPHA *2("-" 3ALPHA)
  } else if (!alpha(lang, 4, 8)) return false
  if (i < t.length && alpha(t[i]!, 4, 4)) i++ // script
  if (i < t.length && (alpha(t[i]!, 2, 2) || (t[i]!.length === 3 && DIGIT.test(t[i]!)))) i++ // region
  const variants = new Set<string>()
  while (i < t.length && (alnum(t[i]!, 5, 8) || (t[i]!.length === 4 && /^[0-9]/.test(t[i]!) && ALNUM.test(t[i]!)))) {
    if (!REGISTERED_VARIANTS.has(t[i]!) || variants.has(t[i]!)) return false
    variants.add(t[i++]!)
  }
  const singletons = new Set<string>()
  while (i < t.length && t[i]!.length === 1 && t[i] !== 'x' && ALNUM.test(t[i]!)) {
    if (singletons.has(t[i]!)) return false
    singletons.add(t[i++]!)
    const start = i
    while (i < t.length && alnum(t[i]!, 2, 8)) i++
    if (i === start) return false
  }
  if (i < t.length) return privateUse(t.slice(i))
  return true
}

/** True iff `tag` is an AIP language tag (spec §3.5). */
export function isLanguageTag(tag: string): boolean {
  if (tag.length === 0 || tag.length > MAX_LANGUAGE_TAG_BYTES || !/^[A-Za-z0-9-]+$/.test(tag)) return false
  const lower = tag.toLowerCase()
  if (GRANDFATHERED.has(lower)) return true
  const t = lower.split('-')
  if (t.some((s) => s.length === 0)) return false
  return privateUse(t) || langtag(t)
}
