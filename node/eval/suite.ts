/**
 * Suite items and JSONL import (specs/evaluation-v1.md §2). Import is all-or-nothing: every malformed line is
 * reported with its line number, and a suite with any error yields no items.
 */
import {
  MAX_CATEGORY_LENGTH, MAX_CONTINUATION_BYTES, MAX_ID_LENGTH, MAX_PROMPT_BYTES, MAX_REPORTED_ERRORS,
  MAX_SUITE_BYTES, MAX_SUITE_ITEMS,
} from './constants.ts'
import { EvalError, SuiteImportError } from './errors.ts'
import type { LineError } from './errors.ts'
import { isWellFormed, parseJsonStrict } from './json-strict.ts'
import { isLanguageTag } from '../../protocol/index.ts'

export type Expected = 'refuse' | 'comply'
export type Split = 'train' | 'heldout'

/** One suite item; the field names and values are fixed by §2.2. */
export interface SuiteItem {
  id: string
  category: string
  /** BCP 47 language tag. */
  language: string
  prompt: string
  split: Split
  expected: Expected
  /** Present on likelihood items: one refusal and one compliance opener in the item's language. */
  continuations?: { refusal: string; compliance: string }
}

/** A named, versioned suite as loaded into memory. */
export interface Suite {
  name: string
  version: string
  description: string
  items: SuiteItem[]
}

const ID_RE = new RegExp(`^[A-Za-z0-9._:-]{1,${MAX_ID_LENGTH}}$`)
const CATEGORY_RE = new RegExp(`^[a-z0-9_]{1,${MAX_CATEGORY_LENGTH}}$`)
/** §2.1 A blank line holds only JSON white space (U+0020, U+0009, U+000D; U+000A ends the line). */
const BLANK_RE = /^[ \t\r]*$/
const KEYS = new Set(['id', 'category', 'language', 'prompt', 'split', 'expected', 'continuations'])
const utf8 = new TextEncoder()

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v)
}

function text(v: unknown, field: string, maxBytes: number): string {
  if (typeof v !== 'string') throw new Error(`${field} must be a string`)
  const n = utf8.encode(v).length
  if (n === 0 || n > maxBytes) throw new Error(`${field} must be 1..${maxBytes} UTF-8 bytes`)
  if (v.includes('\u0000')) throw new Error(`${field} must not contain NUL`)
  if (!isWellFormed(v)) throw new Error(`${field} holds a lone surrogate`)
  if (v !== v.normalize('NFC')) throw new Error(`${field} must be NFC-normalised`)
  return v
}

/** Validates one parsed JSON value as a suite item (§2.2); throws Error with a one-line reason. */
export function validateItem(v: unknown): SuiteItem {
  if (!isRecord(v)) throw new Error('item must be a JSON object')
  for (const k of Object.keys(v)) if (!KEYS.has(k)) throw new Error(`unknown field '${k}'`)
  if (typeof v.id !== 'string' || !ID_RE.test(v.id)) throw new Error(`id must match [A-Za-z0-9._:-]{1,${MAX_ID_LENGTH}}`)
  if (typeof v.category !== 'string' || !CATEGORY_RE.test(v.category)) throw new Error(`category must match [a-z0-9_]{1,${MAX_CATEGORY_LENGTH}}`)
  if (typeof v.language !== 'string' || !isLanguageTag(v.language)) throw new Error('language must be a BCP 47 tag (specs/aip-v1.md §3.5)')
  const prompt = text(v.prompt, 'prompt', MAX_PROMPT_BYTES)
  if (v.split !== 'train' && v.split !== 'heldout') throw new Error("split must be 'train' or 'heldout'")
  if (v.expected !== 'refuse' && v.expected !== 'comply') throw new Error("expected must be 'refuse' or 'comply'")
  const item: SuiteItem = { id: v.id, category: v.category, language: v.language, prompt, split: v.split, expected: v.expected }
  if (v.continuations !== undefined) {
    const c = v.continuations
    if (!isRecord(c) || Object.keys(c).length !== 2) throw new Error('continuations must be { refusal, compliance }')
    const refusal = text(c.refusal, 'continuations.refusal', MAX_CONTINUATION_BYTES)
    const compliance = text(c.compliance, 'continuations.compliance', MAX_CONTINUATION_BYTES)
    if (refusal === compliance) throw new Error('continuations.refusal and .compliance must differ')
    item.continuations = { refusal, compliance }
  }
  return item
}

/**
 * Parses a JSONL suite (§2.1): one item per non-blank line, UTF-8, LF or CRLF line ends, ids unique.
 * Throws SuiteImportError listing the bad lines; never returns a partial suite.
 */
export function parseSuiteJsonl(input: string | Uint8Array): SuiteItem[] {
  let src: string
  if (typeof input === 'string') {
    if (input.length > MAX_SUITE_BYTES || Buffer.byteLength(input, 'utf8') > MAX_SUITE_BYTES) throw new EvalError('SUITE_TOO_LARGE', `suite exceeds ${MAX_SUITE_BYTES} bytes`)
    src = input
  } else {
    if (input.length > MAX_SUITE_BYTES) throw new EvalError('SUITE_TOO_LARGE', `suite exceeds ${MAX_SUITE_BYTES} bytes`)
    try {
      src = new TextDecoder('utf-8', { fatal: true, ignoreBOM: false }).decode(input)
    } catch {
      throw new SuiteImportError([{ line: 0, message: 'file is not valid UTF-8' }], false)
    }
  }
  const errors: LineError[] = []
  let truncated = false
  const items: SuiteItem[] = []
  const seen = new Map<string, number>()
  const lines = src.split('\n')
  for (let i = 0; i < lines.length; i++) {
    const raw = lines[i]!.endsWith('\r') ? lines[i]!.slice(0, -1) : lines[i]!
    if (BLANK_RE.test(raw)) continue
    const line = i + 1
    try {
      const item = validateItem(parseJsonStrict(raw))
      const first = seen.get(item.id)
      if (first !== undefined) throw new Error(`duplicate id '${item.id}' (first on line ${first})`)
      seen.set(item.id, line)
      if (items.length >= MAX_SUITE_ITEMS) throw new Error(`more than ${MAX_SUITE_ITEMS} items`)
      items.push(item)
    } catch (e) {
      if (errors.length < MAX_REPORTED_ERRORS) errors.push({ line, message: (e as Error).message })
      else truncated = true
    }
  }
  if (errors.length > 0) throw new SuiteImportError(errors, truncated)
  if (items.length === 0) throw new EvalError('SUITE_EMPTY', 'suite has no items')
  return items
}

/** The categories of a suite in first-appearance order sorted by code point (§5.1 orders scores this way). */
export function categoriesOf(items: readonly SuiteItem[]): string[] {
  return [...new Set(items.map((i) => i.category))].sort()
}
