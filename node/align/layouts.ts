/**
 * The file layouts people already hold alignment data in (specs/alignment-v1.md §1): red-team prompt lists, TRL/DPO
 * preference pairs (standard and conversational), Anthropic HH-RLHF transcripts, refusal exemplars — as JSON Lines or
 * CSV. Import is all-or-nothing: the first bad line aborts with its number; export writes the same layouts back.
 */
import { createHash } from 'node:crypto'
import { encodeCanonical } from '../../protocol/index.ts'
import type { AlignmentItem, AlignmentKind, CborValue, Turn } from '../../protocol/index.ts'
import { parseCsv, toCsv } from './csv.ts'

export const LAYOUTS = ['prompts', 'trl', 'trl-conversational', 'hh-rlhf', 'exemplars'] as const
export type Layout = (typeof LAYOUTS)[number]

/** §1 table: the layouts of each kind, the first one the default. */
export const LAYOUTS_OF_KIND: Record<AlignmentKind, readonly Layout[]> = {
  'red-team': ['prompts'],
  preference: ['trl', 'trl-conversational', 'hh-rlhf'],
  'refusal-exemplar': ['exemplars'],
}

/** An import that failed on one line (1-based). Nothing was imported. */
export class LayoutError extends Error {
  constructor(readonly line: number, message: string) {
    super(`line ${line}: ${message}`)
    this.name = 'LayoutError'
  }
}

const LANGUAGE_RE = /^[A-Za-z]{2,8}(-[A-Za-z0-9]{1,8})*$/
const ROLES = new Set(['system', 'user', 'assistant'])
/** With the u flag a surrogate pair is one code point, so only an unpaired half matches. */
const LONE_SURROGATE = /[\uD800-\uDFFF]/u

/** Fields each layout reads from a line (besides the optional `id` and `language`). */
const FIELDS: Record<Layout, { required: string[]; optional: string[] }> = {
  prompts: { required: ['prompt', 'category'], optional: ['expected'] },
  trl: { required: ['prompt', 'chosen', 'rejected'], optional: ['category'] },
  'trl-conversational': { required: ['prompt', 'chosen', 'rejected'], optional: ['category'] },
  'hh-rlhf': { required: ['chosen', 'rejected'], optional: ['category'] },
  exemplars: { required: ['prompt', 'response'], optional: ['category'] },
}

function wellFormed(s: string, field: string): string {
  if (s.length === 0) throw new Error(`${field} is empty`)
  if (LONE_SURROGATE.test(s)) throw new Error(`${field} holds a lone surrogate (not well-formed Unicode)`)
  return s
}

function str(v: unknown, field: string): string {
  if (typeof v !== 'string') throw new Error(`${field} must be text`)
  return wellFormed(v, field)
}

function turns(v: unknown, field: string): Turn[] {
  if (!Array.isArray(v) || v.length === 0) throw new Error(`${field} must be a non-empty list of {role, content}`)
  return v.map((t: unknown, i) => {
    if (typeof t !== 'object' || t === null || Array.isArray(t)) throw new Error(`${field}[${i}] must be {role, content}`)
    const keys = Object.keys(t)
    if (keys.length !== 2 || !keys.includes('role') || !keys.includes('content')) throw new Error(`${field}[${i}] must have exactly role and content`)
    const { role, content } = t as { role: unknown; content: unknown }
    if (typeof role !== 'string' || !ROLES.has(role)) throw new Error(`${field}[${i}].role must be system, user or assistant`)
    return { role: role as Turn['role'], content: str(content, `${field}[${i}].content`) }
  })
}

/** HH-RLHF transcript "\n\nHuman: …\n\nAssistant: …" into turns. */
function hhTurns(s: string, field: string): Turn[] {
  const parts = s.split(/\n\n(Human|Assistant): /)
  if (parts[0]!.trim() !== '') throw new Error(`${field} must start with "\\n\\nHuman: "`)
  const out: Turn[] = []
  for (let i = 1; i < parts.length; i += 2) out.push({ role: parts[i] === 'Human' ? 'user' : 'assistant', content: wellFormed(parts[i + 1]!, field) })
  if (out.length < 2 || out[out.length - 1]!.role !== 'assistant') throw new Error(`${field} must end with an Assistant turn`)
  return out
}

const sameTurns = (a: Turn[], b: Turn[]) => a.length === b.length && a.every((t, i) => t.role === b[i]!.role && t.content === b[i]!.content)

/** §1: an item without `id` is named by its content: "sha256:" + the first 32 hex digits of SHA-256(canonical CBOR). */
export function contentId(item: Omit<AlignmentItem, 'id'>): string {
  const m = JSON.parse(JSON.stringify(item)) as CborValue // drops undefined members
  return 'sha256:' + createHash('sha256').update(encodeCanonical(m)).digest('hex').slice(0, 32)
}

/** One parsed line (a JSON object, or a CSV row as an object of strings) into an item. */
function toItem(layout: Layout, row: Record<string, unknown>, language: string | undefined): AlignmentItem {
  const f = FIELDS[layout]
  for (const k of Object.keys(row)) if (!f.required.includes(k) && !f.optional.includes(k) && k !== 'id' && k !== 'language') throw new Error(`unknown field '${k}' for layout ${layout}`)
  for (const k of f.required) if (row[k] === undefined) throw new Error(`missing field '${k}'`)
  const lang = row.language === undefined ? language : str(row.language, 'language')
  if (lang === undefined) throw new Error('no language: add a language field or pass --language')
  if (!LANGUAGE_RE.test(lang)) throw new Error(`language '${lang}' is not a BCP 47 tag`)
  const item: Omit<AlignmentItem, 'id'> = { language: lang, prompt: '' }
  if (row.category !== undefined) item.category = str(row.category, 'category')
  switch (layout) {
    case 'prompts': {
      item.prompt = str(row.prompt, 'prompt')
      if (row.expected !== undefined) {
        if (row.expected !== 'refuse' && row.expected !== 'comply') throw new Error('expected must be "refuse" or "comply"')
        item.expected = row.expected
      }
      break
    }
    case 'trl': case 'exemplars': {
      item.prompt = str(row.prompt, 'prompt')
      for (const k of layout === 'trl' ? ['chosen', 'rejected'] as const : ['response'] as const) item[k] = str(row[k], k)
      break
    }
    case 'trl-conversational': {
      const prompt = turns(row.prompt, 'prompt')
      const last = prompt[prompt.length - 1]!
      if (last.role !== 'user') throw new Error('prompt must end with a user turn')
      item.prompt = last.content
      if (prompt.length > 1) item.context = prompt.slice(0, -1)
      for (const k of ['chosen', 'rejected'] as const) {
        const t = turns(row[k], k)
        if (t.length !== 1 || t[0]!.role !== 'assistant') throw new Error(`${k} must be exactly one assistant turn`)
        item[k] = t[0]!.content
      }
      break
    }
    case 'hh-rlhf': {
      const chosen = hhTurns(str(row.chosen, 'chosen'), 'chosen')
      const rejected = hhTurns(str(row.rejected, 'rejected'), 'rejected')
      const before = chosen.slice(0, -1)
      if (!sameTurns(before, rejected.slice(0, -1))) throw new Error('chosen and rejected differ before their last Assistant turn')
      const last = before[before.length - 1]!
      if (last.role !== 'user') throw new Error('the last turn before the answers must be Human')
      item.prompt = last.content
      if (before.length > 1) item.context = before.slice(0, -1)
      item.chosen = chosen[chosen.length - 1]!.content
      item.rejected = rejected[rejected.length - 1]!.content
      break
    }
  }
  const id = row.id === undefined ? contentId(item) : str(row.id, 'id')
  return { id, ...item }
}

export interface ImportOptions {
  kind: AlignmentKind
  layout?: Layout
  /** The language of lines that carry none (BCP 47). */
  language?: string
  /** 'jsonl' or 'csv'. */
  format: 'jsonl' | 'csv'
}

/** §1: parses a whole file; throws LayoutError on the first bad line (nothing is returned then). */
export function importItems(text: string, opts: ImportOptions): AlignmentItem[] {
  const layout = opts.layout ?? LAYOUTS_OF_KIND[opts.kind][0]!
  if (!LAYOUTS_OF_KIND[opts.kind].includes(layout)) throw new LayoutError(0, `layout ${layout} is not one of ${opts.kind}'s (${LAYOUTS_OF_KIND[opts.kind].join(', ')})`)
  const rows: { line: number; row: Record<string, unknown> }[] = []
  if (opts.format === 'csv') {
    if (layout === 'trl-conversational') throw new LayoutError(0, 'the conversational layout is JSON Lines only')
    for (const r of parseCsv(text)) rows.push(r)
  } else {
    const lines = text.split('\n')
    for (let i = 0; i < lines.length; i++) {
      const line = lines[i]!.replace(/\r$/, '')
      if (line.trim() === '') continue
      let v: unknown
      try {
        v = JSON.parse(line)
      } catch (err) {
        throw new LayoutError(i + 1, `not JSON (${(err as Error).message})`)
      }
      if (typeof v !== 'object' || v === null || Array.isArray(v)) throw new LayoutError(i + 1, 'each line must be a JSON object')
      rows.push({ line: i + 1, row: v as Record<string, unknown> })
    }
  }
  const items: AlignmentItem[] = []
  const seen = new Map<string, number>()
  for (const { line, row } of rows) {
    let item: AlignmentItem
    try {
      item = toItem(layout, row, opts.language)
    } catch (err) {
      throw new LayoutError(line, (err as Error).message)
    }
    const first = seen.get(item.id)
    if (first !== undefined) throw new LayoutError(line, `item id '${item.id}' already used on line ${first}`)
    seen.set(item.id, line)
    items.push(item)
  }
  if (items.length === 0) throw new LayoutError(0, 'the file holds no items')
  return items
}

const hh = (turns: Turn[]) => turns.map((t) => `\n\n${t.role === 'assistant' ? 'Assistant' : 'Human'}: ${t.content}`).join('')

/** §1: one exported line (an object) per item, in the layout's own field names. */
function fromItem(layout: Layout, item: AlignmentItem): Record<string, unknown> {
  const base = { id: item.id, language: item.language, ...(item.category === undefined ? {} : { category: item.category }) }
  const ctx = item.context ?? []
  switch (layout) {
    case 'prompts': return { ...base, prompt: item.prompt, ...(item.expected === undefined ? {} : { expected: item.expected }) }
    case 'trl': return { ...base, prompt: item.prompt, chosen: item.chosen, rejected: item.rejected }
    case 'exemplars': return { ...base, prompt: item.prompt, response: item.response }
    case 'trl-conversational': return {
      ...base, prompt: [...ctx, { role: 'user', content: item.prompt }],
      chosen: [{ role: 'assistant', content: item.chosen }], rejected: [{ role: 'assistant', content: item.rejected }],
    }
    case 'hh-rlhf': {
      if (ctx.some((t) => t.role === 'system')) throw new Error(`item ${item.id}: HH-RLHF has no system turns`)
      const before = [...ctx, { role: 'user' as const, content: item.prompt }]
      return { ...base, chosen: hh([...before, { role: 'assistant', content: item.chosen! }]), rejected: hh([...before, { role: 'assistant', content: item.rejected! }]) }
    }
  }
}

/** §1: items back to a file of the given layout. Context is lost in the flat `trl` layout (the caller warns). */
export function exportItems(items: AlignmentItem[], layout: Layout, format: 'jsonl' | 'csv'): string {
  const rows = items.map((i) => fromItem(layout, i))
  if (format === 'csv') {
    if (layout === 'trl-conversational') throw new Error('the conversational layout is JSON Lines only')
    const cols = ['id', 'language', ...FIELDS[layout].required, ...FIELDS[layout].optional]
    return toCsv(cols, rows)
  }
  return rows.map((r) => JSON.stringify(r)).join('\n') + '\n'
}
