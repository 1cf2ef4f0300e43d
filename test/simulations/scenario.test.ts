import { test } from 'node:test'
import assert from 'node:assert/strict'
import { ASSERTION_IDS } from '../../simulations/assertions/index.ts'
import { loadScenario, shippedScenarios } from '../../simulations/scenario/load.ts'
import { parseScenario, ScenarioError } from '../../simulations/scenario/validate.ts'

const base = {
  name: 'unit', seed: 1, sites: [{ id: 'a', nation: 'CH' }, { id: 'b', nation: 'DE' }, { id: 'c', nation: 'FR' }],
  topology: { kind: 'ring' }, timeline: [{ at_ms: 10, type: 'publish', site: 'a' }],
}
const parse = (raw: unknown) => parseScenario(raw, 'unit.json', ASSERTION_IDS)
function problems(raw: unknown): string[] {
  try {
    parse(raw)
  } catch (err) {
    assert.ok(err instanceof ScenarioError)
    return err.problems
  }
  return []
}

test('every shipped scenario parses, and the required ones are shipped', async () => {
  const names = await shippedScenarios()
  for (const n of ['federation-demo', 'partition-heal', 'byzantine', 'scale-100', 'alignment-exchange', 'sovereign-tune']) assert.ok(names.includes(n), n)
  for (const n of names) {
    const s = await loadScenario(n)
    assert.equal(s.name, n)
    assert.ok(s.assertions.length > 0)
  }
  const scale = await loadScenario('scale-100')
  assert.equal(scale.sites.length, 100)
  assert.deepEqual(scale.scale_steps, [5, 25, 50])
  assert.equal((await loadScenario('scale-100', 25)).sites.length, 25)
  // The demo runs the committed trained bundled model at every site (issue 14 item 2).
  assert.equal((await loadScenario('federation-demo')).models, 'trained')
  const byz = await loadScenario('byzantine')
  for (const role of ['forger', 'replayer', 'spammer', 'intruder', 'exfiltrator']) assert.ok(byz.sites.some((s) => s.role === role), role)
})

test('defaults and expansion are deterministic', () => {
  const s = parse(base)
  assert.equal(s.mode, 'memory')
  assert.equal(s.edges.length, 3)
  assert.deepEqual(s.timeline, [{ at_ms: 10, type: 'publish', site: 'a', count: 1, kind: 'result' }])
  const gen = { ...base, sites: { count: 40, nations: ['CH', 'DE'] }, topology: { kind: 'random', degree: 4 }, timeline: [] }
  const x = parse(gen)
  const y = parse(gen)
  assert.deepEqual(x.edges, y.edges)
  assert.equal(x.sites[0].id, 'site-001')
  assert.equal(x.sites[1].nation, 'DE')
  assert.notDeepEqual(x.edges, parse({ ...gen, seed: 2 }).edges)
})

test('errors carry JSON paths, all at once', () => {
  const p = problems({
    ...base,
    sites: [{ id: 'a', nation: 'ch' }, { id: 'a', nation: 'DE', role: 'thief' }],
    topology: { kind: 'edges', edges: [['a', 'zz']] },
    links: { latency_ms: -1, loss: 1.5 },
    timeline: [{ at_ms: 0, type: 'publish', site: 'nope' }, { at_ms: 5, type: 'teleport' }],
    assertions: ['all-delivered', 'made-up'],
    extra: true,
  })
  const expect = ['extra: unknown field', 'sites[0].nation', 'sites[1].id: duplicate', 'sites[1].role: unknown role', 'topology.edges[0]',
    'links.latency_ms', 'links.loss', 'timeline[0].site: unknown site', 'timeline[1].type: unknown event type', 'assertions[1]: unknown assertion']
  for (const e of expect) assert.ok(p.some((x) => x.includes(e)), `missing problem "${e}" in:\n${p.join('\n')}`)
})

test('semantic checks: connectivity, joins, partitions, scale steps', () => {
  assert.ok(problems({ ...base, topology: { kind: 'edges', edges: [['a', 'b']] } }).some((p) => p.includes('not connected')))
  assert.ok(problems({ ...base, sites: [...base.sites, { id: 'd', nation: 'IT', joins_later: true }], topology: { kind: 'full' } }).some((p) => p.includes('no join event')))
  assert.ok(problems({ ...base, timeline: [{ at_ms: 1, type: 'join', site: 'a' }] }).some((p) => p.includes('joins_later')))
  assert.ok(problems({ ...base, timeline: [{ at_ms: 1, type: 'partition', groups: [['a', 'b'], ['b', 'c']] }] }).some((p) => p.includes('two groups')))
  assert.ok(problems({ ...base, scale_steps: [2] }).some((p) => p.includes('generator')))
  const gen = { ...base, sites: { count: 10, nations: ['CH'] }, timeline: [{ at_ms: 1, type: 'publish', site: 'site-008' }] }
  assert.ok(problems({ ...gen, scale_steps: [5] }).some((p) => p.includes('does not exist at 5 sites')))
  assert.deepEqual(problems({ ...gen, scale_steps: [9, 8] }), [])
  assert.ok(problems({ ...base, timeline: [{ at_ms: 1, type: 'attack', site: 'a' }] }).some((p) => p.includes('is honest')))
  assert.ok(problems('[]').length > 0)
})

test('align events: labels, audiences (AMBER+STRICT and RED name sites only), item counts', () => {
  const align = (e: Record<string, unknown>) => problems({ ...base, timeline: [{ at_ms: 1, type: 'align', site: 'a', items: 10, ...e }] })
  assert.deepEqual(align({ label: 'TLP:GREEN' }), [])
  assert.deepEqual(align({ label: 'TLP:AMBER', audience: { nations: ['DE', 'CH'], sites: ['c'] } }), [])
  assert.ok(align({ label: 'TLP:AMBER' }).some((p) => p.includes('needs an audience')))
  assert.ok(align({ label: 'TLP:GREEN', audience: { nations: ['DE'] } }).some((p) => p.includes('has no audience')))
  assert.ok(align({ label: 'TLP:AMBER+STRICT', audience: { nations: ['DE'] } }).some((p) => p.includes('names sites only')))
  assert.ok(align({ label: 'TLP:RED', audience: { sites: ['zz'] } }).some((p) => p.includes('known site ids')))
  assert.ok(align({ label: 'TLP:WHITE' }).some((p) => p.includes('timeline[0].label')))
  assert.ok(align({ label: 'TLP:GREEN', items: 0 }).some((p) => p.includes('timeline[0].items')))
})

test('tune events: a known bundle_of site, a step count, optional batch and lr in range, memory mode only; align exemplars is a boolean', () => {
  const tl = (e: Record<string, unknown>, mode = 'memory') => problems({ ...base, mode, timeline: [
    { at_ms: 1, type: 'align', site: 'a', label: 'TLP:GREEN', items: 4, exemplars: true }, { at_ms: 2, type: 'tune', site: 'b', bundle_of: 'a', steps: 3, ...e }] })
  assert.deepEqual(tl({}), [])
  assert.deepEqual(parse({ ...base, timeline: [{ at_ms: 2, type: 'tune', site: 'b', bundle_of: 'a' }] }).timeline[0], { at_ms: 2, type: 'tune', site: 'b', bundle_of: 'a', steps: 20 })
  assert.ok(tl({ bundle_of: 'zz' }).some((p) => p.includes('timeline[1].bundle_of')))
  assert.ok(tl({ steps: 0 }).some((p) => p.includes('timeline[1].steps')))
  assert.ok(tl({ steps: 201 }).some((p) => p.includes('timeline[1].steps')))
  assert.ok(tl({ site: '*' }).some((p) => p.includes('timeline[1].site')))
  assert.deepEqual(parse({ ...base, timeline: [{ at_ms: 2, type: 'tune', site: 'b', bundle_of: 'a', steps: 3, batch: 8, lr: 0.001 }] }).timeline[0],
    { at_ms: 2, type: 'tune', site: 'b', bundle_of: 'a', steps: 3, batch: 8, lr: 0.001 })
  assert.ok(tl({ batch: 0 }).some((p) => p.includes('timeline[1].batch')))
  assert.ok(tl({ batch: 65 }).some((p) => p.includes('timeline[1].batch')))
  assert.ok(tl({ lr: 0 }).some((p) => p.includes('timeline[1].lr')))
  assert.ok(tl({ lr: 0.5 }).some((p) => p.includes('timeline[1].lr')))
  assert.ok(tl({ lr: '0.001' }).some((p) => p.includes('timeline[1].lr')))
  assert.ok(tl({}, 'process').some((p) => p.includes('tune events need mode "memory"')))
  assert.ok(problems({ ...base, timeline: [{ at_ms: 1, type: 'align', site: 'a', label: 'TLP:GREEN', items: 4, exemplars: 'yes' }] }).some((p) => p.includes('timeline[0].exemplars')))
})

test('workers: mode memory only, at most one per site; events that reach into a node need one worker', async () => {
  assert.equal(parse(base).workers, 1)
  assert.equal(parse({ ...base, workers: 2 }).workers, 2)
  assert.equal(parse({ ...base, workers: 8 }).workers, 3, 'no more workers than sites')
  assert.equal(parse({ ...base, mode: 'process' }).workers, 3, 'process mode: one site per process')
  assert.ok(problems({ ...base, mode: 'process', workers: 2 }).some((p) => p.startsWith('workers:')))
  assert.ok(problems({ ...base, workers: 0 }).some((p) => p.startsWith('workers')))
  const checkpoint = { ...base, workers: 2, timeline: [{ at_ms: 10, type: 'checkpoint', site: '*' }] }
  assert.ok(problems(checkpoint).some((p) => p.includes('need mode "memory" with one worker')))
  assert.equal((await loadScenario('scale-1000', 10, false, 2)).workers, 2, '--workers overrides the file')
})
