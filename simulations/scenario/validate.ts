/**
 * Checks a parsed scenario file and expands it (simulations/README.md § Scenario files). Every problem is reported
 * at once, each prefixed with its JSON path, e.g. `timeline[3].site: unknown site "xx"`.
 */
import { Rng } from '../rng.ts'
import {
  DEFAULT_SAMPLE_MS, DEFAULT_SETTLE_MS, DEFAULT_SYNC_INTERVAL_MS, MAX_EVENTS, MAX_LATENCY_MS, MAX_PUBLISH_COUNT, MAX_SETTLE_MS, MAX_SITES,
  MIN_SAMPLE_MS, MAX_ALIGN_ITEMS, MAX_TUNE_STEPS, MAX_TUNE_BATCH, MAX_TUNE_LR, MAX_WORKERS,
} from './constants.ts'
import { ALIGN_LABELS, EVENT_TYPES, ROLES } from './types.ts'
import type { AlignLabel, AssertionSpec, Edge, Event, EventType, LinkSpec, Mode, PublishKind, Role, Scenario, SiteSpec } from './types.ts'

export class ScenarioError extends Error {
  constructor(readonly source: string, readonly problems: string[]) {
    super(`invalid scenario ${source}:\n  ${problems.join('\n  ')}`)
    this.name = 'ScenarioError'
  }
}

type Obj = Record<string, unknown>
/** JSON path of field k under path ('' = the root). */
const at = (path: string, k: string): string => (path === '' ? k : `${path}.${k}`)
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v)
const NATION = /^[A-Z]{2}$/
const SITE_ID = /^[a-z0-9][a-z0-9-]{0,31}$/

class Checker {
  readonly problems: string[] = []
  fail(path: string, msg: string): void {
    this.problems.push(`${path}: ${msg}`)
  }
  keys(o: Obj, path: string, allowed: string[]): void {
    for (const k of Object.keys(o)) if (!allowed.includes(k)) this.fail(at(path, k), `unknown field (allowed: ${allowed.join(', ')})`)
  }
  int(o: Obj, k: string, path: string, min: number, max: number, dflt?: number): number {
    const v = o[k] ?? dflt
    if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max) {
      this.fail(at(path, k), `must be an integer in [${min}, ${max}]${v === undefined ? ' (missing)' : `, got ${JSON.stringify(v)}`}`)
      return min
    }
    return v
  }
  num(o: Obj, k: string, path: string, min: number, maxExcl: number, dflt: number): number {
    const v = o[k] ?? dflt
    if (typeof v !== 'number' || !Number.isFinite(v) || v < min || v >= maxExcl) {
      this.fail(at(path, k), `must be a number in [${min}, ${maxExcl}), got ${JSON.stringify(v)}`)
      return min
    }
    return v
  }
  str(o: Obj, k: string, path: string, re?: RegExp, dflt?: string): string {
    const v = o[k] ?? dflt
    if (typeof v !== 'string' || (re != null && !re.test(v))) {
      this.fail(at(path, k), `must be a string${re != null ? ` matching ${re}` : ''}, got ${JSON.stringify(v)}`)
      return ''
    }
    return v
  }
}

/** Parses and expands a scenario. `knownAssertions`: ids the assertion registry implements. */
export function parseScenario(raw: unknown, source: string, knownAssertions: readonly string[]): Scenario {
  const c = new Checker()
  if (!isObj(raw)) throw new ScenarioError(source, ['(root): must be a JSON object'])
  c.keys(raw, '', ['name', 'description', 'seed', 'mode', 'sites', 'scale_steps', 'topology', 'links', 'timeline', 'settle_ms', 'sample_ms', 'sync_interval_ms', 'models', 'assertions', 'workers'])
  const name = c.str(raw, 'name', '', /^[a-z0-9][a-z0-9-]{0,63}$/)
  const description = c.str(raw, 'description', '', undefined, '')
  const seed = c.int(raw, 'seed', '', 0, 0xffffffff)
  const mode = c.str(raw, 'mode', '', /^(memory|process)$/, 'memory') as Mode
  const workersGiven = c.int(raw, 'workers', '', 1, MAX_WORKERS, 1)
  const rng = new Rng(seed)
  const sites = parseSites(c, raw.sites)
  const links = parseLinks(c, raw.links)
  const edges = parseTopology(c, raw.topology, sites, links, rng.fork('topology'))
  applyOverrides(c, raw.links, edges)
  const timeline = parseTimeline(c, raw.timeline, sites)
  const settle = c.int(raw, 'settle_ms', '', 0, MAX_SETTLE_MS, DEFAULT_SETTLE_MS)
  const sample = c.int(raw, 'sample_ms', '', MIN_SAMPLE_MS, MAX_SETTLE_MS, DEFAULT_SAMPLE_MS)
  const syncInterval = c.int(raw, 'sync_interval_ms', '', 0, MAX_SETTLE_MS, DEFAULT_SYNC_INTERVAL_MS)
  const models = c.str(raw, 'models', '', /^(shared|per-site|trained)$/, 'shared') as Scenario['models']
  const assertions = parseAssertions(c, raw.assertions, knownAssertions)
  const scaleSteps = parseScaleSteps(c, raw, sites.length)
  // the audit runner calls (checkpoints, alerts, tiles) reach into the site's node: memory mode only
  // SovereignTune reads and writes the site's state store and evaluates in process: memory mode only
  // (and one worker: with workers > 1 the sites live in child processes too)
  if (mode === 'process' && raw.workers !== undefined) c.fail('workers', 'mode "process" runs one site per process; workers is for mode "memory"')
  const workers = mode === 'process' ? sites.length : Math.min(workersGiven, sites.length)
  const inChildren = mode === 'process' || workers > 1
  if (inChildren && timeline.some((e) => e.type === 'tune')) c.fail('mode', 'tune events need mode "memory" with one worker')
  if (inChildren && (timeline.some((e) => e.type === 'checkpoint') || sites.some((s) => s.role === 'equivocator'))) c.fail('mode', 'checkpoint events and equivocators need mode "memory" with one worker')
  if (c.problems.length === 0) checkConnected(c, sites, edges)
  if (c.problems.length > 0) throw new ScenarioError(source, c.problems)
  return { name, description, seed, mode, workers, sites, scale_steps: scaleSteps, edges, timeline, settle_ms: settle, sample_ms: sample, sync_interval_ms: syncInterval, models, assertions }
}

function parseSites(c: Checker, raw: unknown): SiteSpec[] {
  if (Array.isArray(raw)) {
    if (raw.length < 2 || raw.length > MAX_SITES) c.fail('sites', `must list 2..${MAX_SITES} sites`)
    const seen = new Set<string>()
    return raw.map((s, i): SiteSpec => {
      const p = `sites[${i}]`
      if (!isObj(s)) { c.fail(p, 'must be an object'); return { id: `?${i}`, nation: '??', role: 'honest' } }
      c.keys(s, p, ['id', 'nation', 'role', 'joins_later'])
      const id = c.str(s, 'id', p, SITE_ID)
      if (seen.has(id)) c.fail(`${p}.id`, `duplicate site id "${id}"`)
      seen.add(id)
      const role = c.str(s, 'role', p, undefined, 'honest') as Role
      if (!ROLES.includes(role)) c.fail(`${p}.role`, `unknown role "${role}" (roles: ${ROLES.join(', ')})`)
      if (s.joins_later !== undefined && typeof s.joins_later !== 'boolean') c.fail(`${p}.joins_later`, 'must be a boolean')
      return { id, nation: c.str(s, 'nation', p, NATION), role, ...(s.joins_later === true ? { joins_later: true } : {}) }
    })
  }
  if (isObj(raw)) {
    // Generator: { count, nations, prefix?, width? } — ids prefix-001…, nations assigned round-robin.
    c.keys(raw, 'sites', ['count', 'nations', 'prefix', 'width'])
    const count = c.int(raw, 'count', 'sites', 2, MAX_SITES)
    const prefix = c.str(raw, 'prefix', 'sites', /^[a-z][a-z0-9-]{0,15}$/, 'site')
    const nations = Array.isArray(raw.nations) ? raw.nations : []
    if (nations.length === 0 || !nations.every((n) => typeof n === 'string' && NATION.test(n))) {
      c.fail('sites.nations', 'must be a non-empty list of ISO 3166-1 alpha-2 codes')
      return []
    }
    const width = c.int(raw, 'width', 'sites', idWidth(count), 6, idWidth(count))
    return Array.from({ length: count }, (_, i) => ({
      id: `${prefix}-${String(i + 1).padStart(width, '0')}`, nation: nations[i % nations.length] as string, role: 'honest' as Role,
    }))
  }
  c.fail('sites', 'must be a list of sites or a generator { count, nations }')
  return []
}

function parseLinks(c: Checker, raw: unknown): LinkSpec {
  if (raw === undefined) return { latency_ms: 0, jitter_ms: 0, loss: 0 }
  if (!isObj(raw)) { c.fail('links', 'must be an object'); return { latency_ms: 0, jitter_ms: 0, loss: 0 } }
  c.keys(raw, 'links', ['latency_ms', 'jitter_ms', 'loss', 'overrides'])
  return {
    latency_ms: c.int(raw, 'latency_ms', 'links', 0, MAX_LATENCY_MS, 0),
    jitter_ms: c.int(raw, 'jitter_ms', 'links', 0, MAX_LATENCY_MS, 0),
    loss: c.num(raw, 'loss', 'links', 0, 1, 0),
  }
}

function applyOverrides(c: Checker, raw: unknown, edges: Edge[]): void {
  if (!isObj(raw) || raw.overrides === undefined) return
  if (!Array.isArray(raw.overrides)) { c.fail('links.overrides', 'must be a list'); return }
  raw.overrides.forEach((o, i) => {
    const p = `links.overrides[${i}]`
    if (!isObj(o)) { c.fail(p, 'must be an object'); return }
    c.keys(o, p, ['a', 'b', 'latency_ms', 'jitter_ms', 'loss'])
    const e = edges.find((x) => (x.a === o.a && x.b === o.b) || (x.a === o.b && x.b === o.a))
    if (e == null) { c.fail(p, `no edge between ${JSON.stringify(o.a)} and ${JSON.stringify(o.b)}`); return }
    e.link = {
      latency_ms: c.int(o, 'latency_ms', p, 0, MAX_LATENCY_MS, e.link.latency_ms),
      jitter_ms: c.int(o, 'jitter_ms', p, 0, MAX_LATENCY_MS, e.link.jitter_ms),
      loss: c.num(o, 'loss', p, 0, 1, e.link.loss),
    }
  })
}

function parseTopology(c: Checker, raw: unknown, sites: SiteSpec[], link: LinkSpec, rng: Rng): Edge[] {
  const ids = sites.map((s) => s.id)
  const edges = new Map<string, Edge>()
  const add = (a: string, b: string): void => {
    if (a === b) return
    const [x, y] = a < b ? [a, b] : [b, a]
    edges.set(`${x} ${y}`, { a: x, b: y, link: { ...link } })
  }
  if (!isObj(raw)) { c.fail('topology', 'must be an object { kind: full|ring|random|edges, ... }'); return [] }
  const kind = raw.kind
  if (kind === 'full') {
    c.keys(raw, 'topology', ['kind'])
    for (let i = 0; i < ids.length; i++) for (let j = i + 1; j < ids.length; j++) add(ids[i], ids[j])
  } else if (kind === 'ring') {
    c.keys(raw, 'topology', ['kind', 'chords'])
    const chords = c.int(raw, 'chords', 'topology', 0, ids.length, 0)
    for (let i = 0; i < ids.length; i++) add(ids[i], ids[(i + 1) % ids.length])
    for (let k = 0; k < chords; k++) add(ids[(k * 2) % ids.length], ids[(k * 2 + Math.floor(ids.length / 2)) % ids.length])
  } else if (kind === 'random') {
    // A ring (so the graph is connected) plus random chords until each site has about `degree` neighbours.
    c.keys(raw, 'topology', ['kind', 'degree'])
    const degree = c.int(raw, 'degree', 'topology', 2, 64)
    for (let i = 0; i < ids.length; i++) add(ids[i], ids[(i + 1) % ids.length])
    const extra = Math.max(0, Math.floor((ids.length * (degree - 2)) / 2))
    for (let k = 0; k < extra; k++) add(ids[rng.int(ids.length)], ids[rng.int(ids.length)])
  } else if (kind === 'edges') {
    c.keys(raw, 'topology', ['kind', 'edges'])
    if (!Array.isArray(raw.edges)) c.fail('topology.edges', 'must be a list of [siteA, siteB] pairs')
    else raw.edges.forEach((e, i) => {
      if (!Array.isArray(e) || e.length !== 2 || !e.every((x) => typeof x === 'string' && ids.includes(x)) || e[0] === e[1]) {
        c.fail(`topology.edges[${i}]`, `must be a pair of two different known site ids, got ${JSON.stringify(e)}`)
      } else add(e[0] as string, e[1] as string)
    })
  } else c.fail('topology.kind', `must be one of full, ring, random, edges; got ${JSON.stringify(kind)}`)
  return [...edges.values()]
}

function parseTimeline(c: Checker, raw: unknown, sites: SiteSpec[]): Event[] {
  if (!Array.isArray(raw)) { c.fail('timeline', 'must be a list of events'); return [] }
  if (raw.length > MAX_EVENTS) c.fail('timeline', `at most ${MAX_EVENTS} events`)
  const byId = new Map(sites.map((s) => [s.id, s]))
  const out: Event[] = []
  const site = (o: Obj, p: string): string => {
    const id = c.str(o, 'site', p)
    if (id !== '' && id !== '*' && !byId.has(id)) c.fail(`${p}.site`, `unknown site "${id}"`)
    return id
  }
  const joined = new Set<string>()
  raw.forEach((e, i) => {
    const p = `timeline[${i}]`
    if (!isObj(e)) { c.fail(p, 'must be an object'); return }
    const type = e.type as EventType
    if (!EVENT_TYPES.includes(type)) { c.fail(`${p}.type`, `unknown event type ${JSON.stringify(e.type)} (types: ${EVENT_TYPES.join(', ')})`); return }
    const at = c.int(e, 'at_ms', p, 0, MAX_SETTLE_MS)
    switch (type) {
      case 'publish': {
        c.keys(e, p, ['at_ms', 'type', 'site', 'count', 'kind'])
        const s = site(e, p)
        const count = c.int(e, 'count', p, 1, MAX_PUBLISH_COUNT, 1)
        const kind = c.str(e, 'kind', p, /^(result|evaluation)$/, 'result') as PublishKind
        // "*": every honest, unrevoked site that is up at that moment (resolved by the runner).
        out.push({ at_ms: at, type, site: s, count, kind })
        return
      }
      case 'partition': {
        c.keys(e, p, ['at_ms', 'type', 'groups'])
        const groups = Array.isArray(e.groups) ? e.groups : []
        const seen = new Set<string>()
        if (groups.length < 2) c.fail(`${p}.groups`, 'must list at least two groups of site ids')
        for (const [gi, g] of groups.entries()) {
          if (!Array.isArray(g) || g.length === 0) { c.fail(`${p}.groups[${gi}]`, 'must be a non-empty list of site ids'); continue }
          for (const id of g) {
            if (typeof id !== 'string' || !byId.has(id)) c.fail(`${p}.groups[${gi}]`, `unknown site ${JSON.stringify(id)}`)
            else if (seen.has(id)) c.fail(`${p}.groups[${gi}]`, `site "${id}" is in two groups`)
            else seen.add(id)
          }
        }
        out.push({ at_ms: at, type, groups: groups as string[][] })
        return
      }
      case 'heal':
        c.keys(e, p, ['at_ms', 'type'])
        out.push({ at_ms: at, type })
        return
      case 'attack': {
        c.keys(e, p, ['at_ms', 'type', 'site', 'count'])
        const s = site(e, p)
        if (byId.get(s)?.role === 'honest') c.fail(`${p}.site`, `site "${s}" is honest; attack needs a byzantine role`)
        out.push({ at_ms: at, type, site: s, count: c.int(e, 'count', p, 1, MAX_PUBLISH_COUNT, 1) })
        return
      }
      case 'checkpoint': {
        c.keys(e, p, ['at_ms', 'type', 'site'])
        out.push({ at_ms: at, type, site: site(e, p) })
        break
      }
      case 'align': {
        c.keys(e, p, ['at_ms', 'type', 'site', 'label', 'items', 'audience', 'exemplars'])
        const s = site(e, p)
        if (s === '*') c.fail(`${p}.site`, `"*" is only allowed for publish`)
        const label = c.str(e, 'label', p) as AlignLabel
        if (!ALIGN_LABELS.includes(label)) c.fail(`${p}.label`, `must be one of ${ALIGN_LABELS.join(', ')}`)
        const items = c.int(e, 'items', p, 1, MAX_ALIGN_ITEMS, 300)
        const restricted = label === 'TLP:AMBER' || label === 'TLP:AMBER+STRICT' || label === 'TLP:RED'
        const audience = parseAudience(c, e.audience, `${p}.audience`, byId, label)
        if (restricted && audience === undefined) c.fail(`${p}.audience`, `${label} needs an audience`)
        if (!restricted && audience !== undefined) c.fail(`${p}.audience`, `${label} has no audience`)
        if (e.exemplars !== undefined && typeof e.exemplars !== 'boolean') c.fail(`${p}.exemplars`, 'must be true or false')
        out.push({ at_ms: at, type, site: s, label, items, ...(audience === undefined ? {} : { audience }), ...(e.exemplars === true ? { exemplars: true } : {}) })
        return
      }
      case 'tune': {
        c.keys(e, p, ['at_ms', 'type', 'site', 'bundle_of', 'steps', 'batch', 'lr'])
        const s = site(e, p)
        if (s === '*') c.fail(`${p}.site`, `"*" is only allowed for publish`)
        const of = c.str(e, 'bundle_of', p)
        if (!byId.has(of)) c.fail(`${p}.bundle_of`, `unknown site "${of}"`)
        const steps = c.int(e, 'steps', p, 1, MAX_TUNE_STEPS, 20)
        const batch = e.batch === undefined ? undefined : c.int(e, 'batch', p, 1, MAX_TUNE_BATCH)
        if (e.lr !== undefined && !(typeof e.lr === 'number' && e.lr > 0 && e.lr <= MAX_TUNE_LR)) c.fail(`${p}.lr`, `must be a number in (0, ${MAX_TUNE_LR}]`)
        out.push({ at_ms: at, type, site: s, bundle_of: of, steps, ...(batch === undefined ? {} : { batch }), ...(typeof e.lr === 'number' ? { lr: e.lr } : {}) })
        return
      }
      default: {
        c.keys(e, p, ['at_ms', 'type', 'site'])
        const s = site(e, p)
        if (s === '*') c.fail(`${p}.site`, `"*" is only allowed for publish and checkpoint`)
        if (type === 'join') {
          if (byId.get(s)?.joins_later !== true) c.fail(`${p}.site`, `site "${s}" must have joins_later: true to join`)
          if (joined.has(s)) c.fail(`${p}.site`, `site "${s}" joins twice`)
          joined.add(s)
        }
        out.push({ at_ms: at, type, site: s } as Event)
      }
    }
  })
  for (const s of sites) if (s.joins_later === true && !joined.has(s.id)) c.fail('timeline', `site "${s.id}" has joins_later but no join event`)
  return out.map((e, i) => ({ e, i })).sort((x, y) => x.e.at_ms - y.e.at_ms || x.i - y.i).map((x) => x.e)
}
/** Digits of generated site ids by default: at least 3 (site-001), more for larger federations (site-0001 at 1,000). */
export function idWidth(count: number): number {
  return Math.max(3, String(count).length)
}

/** An align event's audience: nations (ISO codes) and site ids; AMBER+STRICT and RED name sites only. */
function parseAudience(c: Checker, raw: unknown, p: string, byId: Map<string, SiteSpec>, label: string): { nations?: string[]; sites?: string[] } | undefined {
  if (raw === undefined) return undefined
  if (!isObj(raw)) { c.fail(p, 'must be an object { nations?, sites? }'); return undefined }
  c.keys(raw, p, ['nations', 'sites'])
  const out: { nations?: string[]; sites?: string[] } = {}
  if (raw.nations !== undefined) {
    if (!Array.isArray(raw.nations) || raw.nations.length === 0 || !raw.nations.every((n) => typeof n === 'string' && NATION.test(n))) c.fail(`${p}.nations`, 'must be a non-empty list of ISO 3166-1 alpha-2 codes')
    else out.nations = [...new Set(raw.nations as string[])].sort()
    if (label !== 'TLP:AMBER') c.fail(`${p}.nations`, `${label} names sites only`)
  }
  if (raw.sites !== undefined) {
    if (!Array.isArray(raw.sites) || raw.sites.length === 0 || !raw.sites.every((x) => typeof x === 'string' && byId.has(x))) c.fail(`${p}.sites`, 'must be a non-empty list of known site ids')
    else out.sites = [...new Set(raw.sites as string[])]
  }
  if (out.nations === undefined && out.sites === undefined) c.fail(p, 'must name nations or sites')
  return out
}

/** scale_steps: smaller site counts to run first (sites generator only); each must still contain the timeline's sites. */
function parseScaleSteps(c: Checker, raw: Obj, count: number): number[] {
  if (raw.scale_steps === undefined) return []
  const steps = raw.scale_steps
  if (!isObj(raw.sites)) { c.fail('scale_steps', 'needs a sites generator { count, nations }'); return [] }
  if (!Array.isArray(steps) || !steps.every((n) => Number.isInteger(n) && n >= 2 && n < count)) {
    c.fail('scale_steps', `must be a list of integers in [2, ${count - 1}]`)
    return []
  }
  const width = isObj(raw.sites) && typeof raw.sites.width === 'number' ? raw.sites.width : idWidth(count)
  const min = Math.min(...(steps as number[]))
  const used = Array.isArray(raw.timeline) ? raw.timeline.map((e) => (isObj(e) ? e.site : undefined)).filter((x): x is string => typeof x === 'string' && x !== '*') : []
  for (const id of used) {
    const n = Number(id.slice(id.lastIndexOf('-') + 1))
    if (!(n >= 1 && n <= min) || id.slice(id.lastIndexOf('-') + 1).length !== width) c.fail('scale_steps', `site "${id}" of the timeline does not exist at ${min} sites`)
  }
  return [...(steps as number[])].sort((a, b) => a - b)
}

function parseAssertions(c: Checker, raw: unknown, known: readonly string[]): AssertionSpec[] {
  if (raw === undefined) return []
  if (!Array.isArray(raw)) { c.fail('assertions', 'must be a list'); return [] }
  return raw.map((a, i): AssertionSpec => {
    const p = `assertions[${i}]`
    const spec: AssertionSpec = typeof a === 'string' ? { id: a, params: {} } : { id: '', params: {} }
    if (isObj(a)) {
      spec.id = typeof a.id === 'string' ? a.id : ''
      for (const [k, v] of Object.entries(a)) {
        if (k === 'id') continue
        if (typeof v !== 'number' || !Number.isFinite(v)) c.fail(`${p}.${k}`, 'assertion parameters must be numbers')
        else spec.params[k] = v
      }
    } else if (typeof a !== 'string') c.fail(p, 'must be an assertion id or { id, ...numeric params }')
    if (!known.includes(spec.id)) c.fail(p, `unknown assertion ${JSON.stringify(spec.id)} (known: ${known.join(', ')})`)
    return spec
  })
}

/** Every site must be reachable from every other over the edges, or `all-delivered` could never hold. */
function checkConnected(c: Checker, sites: SiteSpec[], edges: Edge[]): void {
  const adj = new Map<string, string[]>(sites.map((s) => [s.id, []]))
  for (const e of edges) { adj.get(e.a)?.push(e.b); adj.get(e.b)?.push(e.a) }
  const seen = new Set<string>([sites[0].id])
  const todo = [sites[0].id]
  while (todo.length > 0) for (const n of adj.get(todo.pop() as string) ?? []) if (!seen.has(n)) { seen.add(n); todo.push(n) }
  const cut = sites.filter((s) => !seen.has(s.id)).map((s) => s.id)
  if (cut.length > 0) c.fail('topology', `not connected: ${cut.slice(0, 5).join(', ')}${cut.length > 5 ? ' …' : ''} unreachable from ${sites[0].id}`)
}
