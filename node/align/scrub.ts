/**
 * Scrubbing (specs/alignment-v1.md §5): detectors for structured personal data in a bundle's text, run before it is
 * published. Phone numbers and IBANs use well-kept libraries (libphonenumber-js with full metadata, ibantools);
 * e-mail, cards, IP addresses and the federation nations' national identifiers are checked with their check digits,
 * so that ordinary numbers in prose rarely count. Structured data only: names and prose addresses are not detected.
 */
import { createHash } from 'node:crypto'
import { isIPv4, isIPv6 } from 'node:net'
import { findPhoneNumbersInText } from 'libphonenumber-js/max'
import type { CountryCode } from 'libphonenumber-js/max'
import { electronicFormatIBAN, isValidIBAN } from 'ibantools'
import type { AlignmentItem } from '../../protocol/index.ts'

export const DETECTORS = ['email', 'phone', 'iban', 'card', 'ip', 'ch_ahv', 'de_steuer_id', 'fr_nir', 'it_codice_fiscale', 'ee_isikukood'] as const
export type Detector = (typeof DETECTORS)[number]

export interface Hit {
  item: string
  field: string
  detector: Detector
  /** Offset and length in UTF-16 code units of the field's text. */
  offset: number
  length: number
  /** The match with all but its first and last two characters masked. */
  excerpt: string
}

export interface ScrubReport {
  bundle: string
  items: number
  hits: Hit[]
}

type Found = { detector: Detector; offset: number; length: number }

const digits = (s: string) => s.replace(/\D/g, '')

function luhn(d: string): boolean {
  let sum = 0
  for (let i = 0; i < d.length; i++) {
    let x = d.charCodeAt(d.length - 1 - i) - 48
    if (i % 2 === 1) x = x * 2 > 9 ? x * 2 - 9 : x * 2
    sum += x
  }
  return sum % 10 === 0
}

/** CH AHV/AVS: 756 + 9 digits + EAN-13 check digit. */
function ahv(d: string): boolean {
  if (d.length !== 13 || !d.startsWith('756')) return false
  let s = 0
  for (let i = 0; i < 12; i++) s += (d.charCodeAt(i) - 48) * (i % 2 === 0 ? 1 : 3)
  return (10 - (s % 10)) % 10 === d.charCodeAt(12) - 48
}

/** DE Steuer-ID: 11 digits, no leading 0, ISO 7064 MOD 11,10 check digit. */
function steuerId(d: string): boolean {
  if (d.length !== 11 || d[0] === '0') return false
  let p = 10
  for (let i = 0; i < 10; i++) {
    let s = (d.charCodeAt(i) - 48 + p) % 10
    if (s === 0) s = 10
    p = (s * 2) % 11
  }
  return (11 - p) % 10 === d.charCodeAt(10) - 48
}

/** FR NIR: 13 digits (Corsica 2A/2B read as 19/18) + key = 97 − (number mod 97). */
function nir(s: string): boolean {
  const m = /^([12])(\d{2})(\d{2})(\d{2}|2A|2B)(\d{3})(\d{3})(\d{2})$/.exec(s)
  if (m === null) return false
  const body = s.slice(0, 13).replace('2A', '19').replace('2B', '18')
  return 97 - Number(BigInt(body) % 97n) === Number(m[7])
}

const CF_ODD = [1, 0, 5, 7, 9, 13, 15, 17, 19, 21, 2, 4, 18, 20, 11, 3, 6, 8, 12, 14, 16, 10, 22, 25, 24, 23]
/** IT codice fiscale: 15 characters + a check letter from the odd/even position tables. */
function codiceFiscale(s: string): boolean {
  if (!/^[A-Z]{6}[0-9LMNPQRSTUV]{2}[A-EHLMPR-T][0-9LMNPQRSTUV]{2}[A-Z][0-9LMNPQRSTUV]{3}[A-Z]$/.test(s)) return false
  let sum = 0
  for (let i = 0; i < 15; i++) {
    const c = s.charCodeAt(i)
    const v = c <= 57 ? c - 48 : c - 65 // digits map like A..J
    sum += i % 2 === 0 ? CF_ODD[v]! : v
  }
  return String.fromCharCode(65 + (sum % 26)) === s[15]
}

/** EE isikukood: 11 digits, first 1–6, two-stage mod-11 check digit. */
function isikukood(d: string): boolean {
  if (d.length !== 11 || d[0]! < '1' || d[0]! > '6') return false
  const w1 = [1, 2, 3, 4, 5, 6, 7, 8, 9, 1]
  const w2 = [3, 4, 5, 6, 7, 8, 9, 1, 2, 3]
  const sum = (w: number[]) => w.reduce((s, x, i) => s + x * (d.charCodeAt(i) - 48), 0) % 11
  let c = sum(w1)
  if (c === 10) c = sum(w2) % 10
  return c === d.charCodeAt(10) - 48
}

const EMAIL = /[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}/g
const IBAN_CANDIDATE = /\b[A-Z]{2}\d{2}(?: ?[A-Z0-9]{1,4}){3,8}\b/g
const CARD_CANDIDATE = /\b\d(?:[ -]?\d){12,18}\b/g
const IPV4 = /\b\d{1,3}(?:\.\d{1,3}){3}\b/g
const IPV6_CANDIDATE = /(?<![0-9A-Fa-f:])[0-9A-Fa-f]{0,4}(?::[0-9A-Fa-f]{0,4}){2,7}(?![0-9A-Fa-f:])/g
const AHV_CANDIDATE = /\b756[.\s]?\d{4}[.\s]?\d{4}[.\s]?\d{2}\b/g
const ELEVEN_DIGITS = /\b\d{11}\b/g
const NIR_CANDIDATE = /\b[12] ?\d{2} ?\d{2} ?(?:\d{2}|2A|2B) ?\d{3} ?\d{3} ?\d{2}\b/g
const CF_CANDIDATE = /\b[A-Z]{6}[0-9LMNPQRSTUV]{2}[A-Z][0-9LMNPQRSTUV]{2}[A-Z][0-9LMNPQRSTUV]{3}[A-Z]\b/g

function scan(re: RegExp, s: string, detector: Detector, ok: (match: string) => boolean, out: Found[]): void {
  for (const m of s.matchAll(re)) if (ok(m[0])) out.push({ detector, offset: m.index, length: m[0].length })
}

/** Every detector over one text; overlapping hits of different detectors are all reported. */
export function detect(s: string, countries: readonly string[]): Found[] {
  const out: Found[] = []
  scan(EMAIL, s, 'email', () => true, out)
  scan(IBAN_CANDIDATE, s, 'iban', (m) => isValidIBAN(electronicFormatIBAN(m) ?? ''), out)
  scan(CARD_CANDIDATE, s, 'card', (m) => luhn(digits(m)) && !/^(\d)\1+$/.test(digits(m)), out)
  scan(IPV4, s, 'ip', (m) => isIPv4(m), out)
  scan(IPV6_CANDIDATE, s, 'ip', (m) => isIPv6(m) && (m.match(/:/g) ?? []).length >= 2 && /[0-9A-Fa-f]/.test(m), out)
  scan(AHV_CANDIDATE, s, 'ch_ahv', (m) => ahv(digits(m)), out)
  scan(ELEVEN_DIGITS, s, 'de_steuer_id', steuerId, out)
  scan(ELEVEN_DIGITS, s, 'ee_isikukood', isikukood, out)
  scan(NIR_CANDIDATE, s, 'fr_nir', (m) => nir(m.replace(/ /g, '')), out)
  scan(CF_CANDIDATE, s, 'it_codice_fiscale', codiceFiscale, out)
  // A national-format phone match inside an identifier, IBAN, card or address is that thing, not a phone number.
  const inside = (a: number, b: number) => out.some((f) => a < f.offset + f.length && f.offset < b)
  const phones = new Set<number>()
  for (const country of [undefined, ...countries]) {
    for (const p of findPhoneNumbersInText(s, country === undefined ? undefined : { defaultCountry: country as CountryCode })) {
      if (phones.has(p.startsAt) || !p.number.isValid() || inside(p.startsAt, p.endsAt)) continue
      phones.add(p.startsAt)
      out.push({ detector: 'phone', offset: p.startsAt, length: p.endsAt - p.startsAt })
    }
  }
  return out.sort((a, b) => a.offset - b.offset || a.detector.localeCompare(b.detector))
}

const mask = (m: string) => m.length <= 4 ? '*'.repeat(m.length) : m.slice(0, 2) + '*'.repeat(m.length - 4) + m.slice(-2)

/** The text fields of an item, by name (context turns as context[i]). */
function textFields(item: AlignmentItem): [string, string][] {
  const out: [string, string][] = [['prompt', item.prompt]]
  for (const k of ['chosen', 'rejected', 'response'] as const) if (item[k] !== undefined) out.push([k, item[k]!])
  item.context?.forEach((t, i) => out.push([`context[${i}]`, t.content]))
  return out
}

/** §5: the report for a bundle's items. `countries`: the federation's nations (phone numbers in national format). */
export function scrub(bundle: string, items: readonly AlignmentItem[], countries: readonly string[]): ScrubReport {
  const hits: Hit[] = []
  for (const item of items) {
    for (const [field, s] of textFields(item)) {
      for (const f of detect(s, countries)) hits.push({ item: item.id, field, ...f, excerpt: mask(s.slice(f.offset, f.offset + f.length)) })
    }
  }
  return { bundle, items: items.length, hits }
}

/** §5: the digest an operator passes to `--accept-report`: SHA-256 of the report's JSON (keys in this fixed order). */
export function reportDigest(r: ScrubReport): string {
  const canonical = JSON.stringify({ bundle: r.bundle, items: r.items, hits: r.hits.map((h) => ({ item: h.item, field: h.field, detector: h.detector, offset: h.offset, length: h.length, excerpt: h.excerpt })) })
  return createHash('sha256').update(canonical).digest('hex')
}
