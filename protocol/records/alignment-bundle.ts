/**
 * AlignmentBundle (spec aip-v1 §4.9, alignment-v1 §2): alignment data a site shares — red-team prompts, preference
 * pairs or refusal exemplars — inline (`items`) or, when large or restricted, in AlignmentChunk records linked from
 * `chunks`. Every bundle carries a TLP 2.0 `label`; restricted labels carry an `audience` and travel as chunks only.
 */
import type { CID } from 'multiformats/cid'
import type { CborMap, CborValue } from '../cbor.ts'
import { MAX_AUDIENCE_ENTRIES, MAX_CHUNKS, MAX_CONTEXT_TURNS, MAX_ITEMS_PER_CHUNK, MAX_SHARING_GROUPS } from '../constants.ts'
import { fields, LANGUAGE_RE, link, list, longText, malformed, matches, NATION_RE, oneOf, publicKey, text, uint } from './schema.ts'

export const ALIGNMENT_KINDS = ['red-team', 'preference', 'refusal-exemplar'] as const
export type AlignmentKind = (typeof ALIGNMENT_KINDS)[number]

/** alignment-v1 §2: the Traffic Light Protocol 2.0 designations, as written on the wire. */
export const TLP_LABELS = ['TLP:CLEAR', 'TLP:GREEN', 'TLP:AMBER', 'TLP:AMBER+STRICT', 'TLP:RED'] as const
export type TlpLabel = (typeof TLP_LABELS)[number]

/** alignment-v1 §2: labels whose items never travel by gossip or sync (manifest only; chunks by /aip/share/1.0.0). */
export const RESTRICTED_LABELS: readonly TlpLabel[] = ['TLP:AMBER', 'TLP:AMBER+STRICT', 'TLP:RED']
export const isRestricted = (label: TlpLabel): boolean => RESTRICTED_LABELS.includes(label)

export const CONTEXT_ROLES = ['system', 'user', 'assistant'] as const
export interface Turn { role: (typeof CONTEXT_ROLES)[number]; content: string }

/** Fields per kind: red-team {prompt, category, expected?}; preference {prompt, chosen, rejected, context?, category?};
 * refusal-exemplar {prompt, response, context?, category?}. All carry id and language. */
export interface AlignmentItem {
  id: string
  language: string
  prompt: string
  category?: string
  expected?: 'refuse' | 'comply'
  chosen?: string
  rejected?: string
  response?: string
  /** Turns before `prompt` (conversational and HH-RLHF sources, alignment-v1 §1). */
  context?: Turn[]
}

export interface SharingGroup { name: string; nations: string[] }
export interface Audience {
  nations?: string[]
  groups?: SharingGroup[]
  sites?: Uint8Array[]
}

export interface AlignmentBundleBody {
  name: string
  kind: AlignmentKind
  license: string
  label: TlpLabel
  audience?: Audience
  embargo_until?: number
  item_count: number
  items?: AlignmentItem[]
  chunks?: CID[]
  description?: string
}

export interface AlignmentChunkBody {
  kind: AlignmentKind
  label: TlpLabel
  embargo_until?: number
  items: AlignmentItem[]
}

const KIND_FIELDS: Record<AlignmentKind, { required: string[]; optional: string[] }> = {
  'red-team': { required: ['category'], optional: ['expected'] },
  preference: { required: ['chosen', 'rejected'], optional: ['category', 'context'] },
  'refusal-exemplar': { required: ['response'], optional: ['category', 'context'] },
}

function turn(x: CborValue, n: string): Turn {
  const e = fields(x, n, ['role', 'content'])
  return { role: oneOf(e.role, `${n}.role`, CONTEXT_ROLES), content: longText(e.content, `${n}.content`, 1) }
}

export function parseAlignmentItem(kind: AlignmentKind, x: CborValue, n: string): AlignmentItem {
  const f = KIND_FIELDS[kind]
  const e = fields(x, n, ['id', 'language', 'prompt', ...f.required], f.optional)
  const item: AlignmentItem = {
    id: text(e.id, `${n}.id`),
    language: matches(e.language, `${n}.language`, LANGUAGE_RE, 'a BCP 47 language tag', 64),
    prompt: longText(e.prompt, `${n}.prompt`, 1),
  }
  if (e.category !== undefined) item.category = text(e.category, `${n}.category`)
  if (e.expected !== undefined) item.expected = oneOf(e.expected, `${n}.expected`, ['refuse', 'comply'] as const)
  for (const k of ['chosen', 'rejected', 'response'] as const) if (e[k] !== undefined) item[k] = longText(e[k], `${n}.${k}`, 1)
  if (e.context !== undefined) item.context = list(e.context, `${n}.context`, 1, MAX_CONTEXT_TURNS, turn)
  return item
}

function items(kind: AlignmentKind, v: CborValue | undefined): AlignmentItem[] {
  const out = list(v, 'items', 1, MAX_ITEMS_PER_CHUNK, (x, n) => parseAlignmentItem(kind, x, n))
  if (new Set(out.map((i) => i.id)).size !== out.length) malformed('items', 'an item id is listed twice')
  return out
}

/** R1: one wire form — sorted, unique lists. */
function sortedUnique(xs: readonly string[], name: string): void {
  for (let i = 1; i < xs.length; i++) if (!(xs[i - 1]! < xs[i]!)) malformed(name, 'entries must be sorted and unique')
}

const hex = (b: Uint8Array): string => Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString('hex')

/** alignment-v1 §2 R1. */
export function parseAudience(v: CborValue | undefined, label: TlpLabel): Audience {
  const strict = label !== 'TLP:AMBER'
  const m = fields(v, 'audience', [], strict ? ['sites'] : ['nations', 'groups', 'sites'])
  const a: Audience = {}
  const nation = (x: CborValue, n: string): string => matches(x, n, NATION_RE, 'an ISO 3166-1 alpha-2 code')
  if (m.nations !== undefined) sortedUnique(a.nations = list(m.nations, 'audience.nations', 1, MAX_AUDIENCE_ENTRIES, nation), 'audience.nations')
  if (m.groups !== undefined) {
    a.groups = list(m.groups, 'audience.groups', 1, MAX_SHARING_GROUPS, (x, n) => {
      const g = fields(x, n, ['name', 'nations'])
      const nations = list(g.nations, `${n}.nations`, 1, MAX_AUDIENCE_ENTRIES, nation)
      sortedUnique(nations, `${n}.nations`)
      return { name: text(g.name, `${n}.name`), nations }
    })
    sortedUnique(a.groups.map((g) => g.name), 'audience.groups')
  }
  if (m.sites !== undefined) {
    a.sites = list(m.sites, 'audience.sites', 1, MAX_AUDIENCE_ENTRIES, publicKey)
    sortedUnique(a.sites.map(hex), 'audience.sites')
  }
  if (a.nations === undefined && a.groups === undefined && a.sites === undefined) malformed('audience', 'names no nation, group or site')
  return a
}

/** R1–R4 shared by bundle and chunk: label, audience presence, embargo. */
function releasability(m: CborMap, name: string): { label: TlpLabel; audience?: Audience; embargo_until?: number } {
  const label = oneOf(m.label, `${name}.label`, TLP_LABELS)
  const out: { label: TlpLabel; audience?: Audience; embargo_until?: number } = { label }
  if (m.embargo_until !== undefined) out.embargo_until = uint(m.embargo_until, `${name}.embargo_until`)
  return out
}

export function parseAlignmentBundle(m: CborMap): AlignmentBundleBody {
  fields(m, 'AlignmentBundle', ['name', 'kind', 'license', 'label', 'item_count'], ['items', 'chunks', 'description', 'audience', 'embargo_until'])
  if ((m.items === undefined) === (m.chunks === undefined)) malformed('AlignmentBundle', 'exactly one of items and chunks')
  const kind = oneOf(m.kind, 'kind', ALIGNMENT_KINDS)
  const r = releasability(m, 'AlignmentBundle')
  const body: AlignmentBundleBody = {
    name: text(m.name, 'name'), kind, license: text(m.license, 'license'), label: r.label,
    item_count: uint(m.item_count, 'item_count', MAX_CHUNKS * MAX_ITEMS_PER_CHUNK),
  }
  if (isRestricted(r.label)) {
    if (m.audience === undefined) malformed('audience', `required for ${r.label}`)
    body.audience = parseAudience(m.audience, r.label)
    if (m.items !== undefined) malformed('items', `a ${r.label} bundle carries chunks, never inline items (alignment-v1 R2)`)
  } else if (m.audience !== undefined) malformed('audience', `not allowed for ${r.label}`)
  if (r.embargo_until !== undefined) {
    body.embargo_until = r.embargo_until
    if (m.items !== undefined) malformed('items', 'an embargoed bundle carries chunks, never inline items (alignment-v1 R4)')
  }
  if (m.items !== undefined) {
    body.items = items(kind, m.items)
    if (body.item_count !== body.items.length) malformed('item_count', 'differs from the number of items')
  }
  if (m.chunks !== undefined) {
    body.chunks = list(m.chunks, 'chunks', 1, MAX_CHUNKS, link)
    if (body.item_count < 1 || body.item_count > body.chunks.length * MAX_ITEMS_PER_CHUNK) malformed('item_count', 'inconsistent with the number of chunks')
  }
  if (m.description !== undefined) body.description = longText(m.description, 'description')
  return body
}

export function parseAlignmentChunk(m: CborMap): AlignmentChunkBody {
  fields(m, 'AlignmentChunk', ['kind', 'label', 'items'], ['embargo_until'])
  const kind = oneOf(m.kind, 'kind', ALIGNMENT_KINDS)
  const r = releasability(m, 'AlignmentChunk')
  const body: AlignmentChunkBody = { kind, label: r.label, items: items(kind, m.items) }
  if (r.embargo_until !== undefined) body.embargo_until = r.embargo_until
  return body
}
