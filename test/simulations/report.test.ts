import { test } from 'node:test'
import assert from 'node:assert/strict'
import { mkdtemp, readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { ASSERTION_IDS } from '../../simulations/assertions/index.ts'
import { buildReport, scaleRow, scaleSummary } from '../../simulations/report/report.ts'
import { renderHtml } from '../../simulations/report/html.ts'
import { summaryTable } from '../../simulations/report/table.ts'
import { writeReport } from '../../simulations/report/write.ts'
import type { RunResult } from '../../simulations/run.ts'
import { parseScenario } from '../../simulations/scenario/validate.ts'

/** The fields issue 7 requires in report.json, with their JSON types. */
const REQUIRED: Record<string, string> = {
  scenario: 'string', sites: 'number', records_published: 'number', records_delivered: 'number', records_expected: 'number',
  outcomes_by_code: 'object', propagation_ms: 'object', convergence_ms_after_heal: 'number|null', bytes_sent_per_site: 'object',
  forged_accepted: 'number', weight_bytes_egressed: 'number', weight_exfil_attempts: 'number', weight_exfil_detected: 'number',
  restricted_expected: 'number', restricted_delivered_to_listed: 'number', restricted_held_by_unlisted: 'number', leaks_attempted: 'number', leaks_detected: 'number', leaks_by_way: 'object',
  assertions: 'array',
}

/** A hand-written run: 3 sites, 2 records, one partition healed at 1000 ms, one forged record held by c. */
function run(): RunResult {
  const scenario = parseScenario({
    name: 'schema', seed: 1, sites: [{ id: 'a', nation: 'CH' }, { id: 'b', nation: 'DE' }, { id: 'c', nation: 'FR' }, { id: 'f', nation: 'IT', role: 'forger' }],
    topology: { kind: 'full' }, timeline: [{ at_ms: 0, type: 'partition', groups: [['a'], ['b', 'c', 'f']] }, { at_ms: 1000, type: 'heal' }],
    assertions: ['all-delivered', 'no-forged-accepted', { id: 'propagation-p99-below', ms: 500 }, { id: 'converged-after-heal', ms: 2000 }, 'no-weight-egress'],
  }, 'schema.json', ASSERTION_IDS)
  const site = (id: string, held: string[], bytes: number, role: 'honest' | 'forger' = 'honest') => ({
    id, nation: 'CH', role, alive: true, bytes_sent: bytes, weight_bytes: 0, held, held_over_time: [[0, 0], [500, held.length]] as [number, number][],
  })
  return {
    scenario, mode: 'memory', started_at: '2026-01-01T00:00:00.000Z', duration_ms: 2000,
    sites: [site('a', ['r1', 'r2'], 1000), site('b', ['r1', 'r2'], 3000), site('c', ['r1', 'x'], 2000), site('f', [], 500, 'forger')],
    records: [
      { id: 'r1', kind: 'result', origin: 'a', at_ms: 100, expected_at: ['a', 'b', 'c'] },
      { id: 'r2', kind: 'result', origin: 'b', at_ms: 200, expected_at: ['a', 'b', 'c'] },
      { id: 'x', kind: 'forged', origin: 'f', at_ms: 300, expected_at: [] },
    ],
    deliveries: [
      { record: 'r1', site: 'a', at_ms: 100, via: 'local' }, { record: 'r1', site: 'b', at_ms: 1100, via: 'gossip', from: 'a' },
      { record: 'r1', site: 'c', at_ms: 1200, via: 'gossip', from: 'b' },
      { record: 'r2', site: 'b', at_ms: 200, via: 'local' }, { record: 'r2', site: 'a', at_ms: 1400, via: 'sync', from: 'b' },
      { record: 'x', site: 'c', at_ms: 400, via: 'gossip', from: 'f' },
    ],
    outcomes: [{ site: 'a', action: 'reject', code: 'bad_signature' }, { site: 'b', action: 'reject', code: 'bad_signature' }, { site: 'a', action: 'accept', code: 'ok' }],
    heal_at_ms: 1000, exfil: { attempts: 0, detected: 0 }, leaks: [], results_table: [], errors: [],
    resources: { workers: 1, rss_mb_before_sites: 100, rss_mb_sites_up: 112, rss_mb_peak: 130, cpu_ms: 60, event_loop_delay_ms: { p50: 20, p99: 40, max: 50 } },
    mesh_peers: { mean: 2, min: 2, max: 2 },
  }
}

test('report.json has every field of the issue, computed from the run', () => {
  const r = buildReport(run())
  const json = JSON.parse(JSON.stringify(r)) as Record<string, unknown>
  for (const [k, t] of Object.entries(REQUIRED)) {
    const v = json[k]
    const actual = v === null ? 'null' : Array.isArray(v) ? 'array' : typeof v
    assert.ok(t.split('|').includes(actual), `${k}: expected ${t}, got ${actual}`)
  }
  assert.deepEqual(Object.keys(r.propagation_ms).sort(), ['count', 'max', 'p50', 'p95', 'p99'])
  assert.deepEqual(Object.keys(r.bytes_sent_per_site).sort(), ['max', 'mean', 'total'])
  assert.equal(r.records_expected, 6)
  assert.equal(r.records_delivered, 5) // c lacks r2
  assert.equal(r.forged_accepted, 1)
  assert.deepEqual(r.outcomes_by_code, { bad_signature: 2, ok: 1 })
  assert.deepEqual(r.propagation_ms, { count: 3, p50: 1100, p95: 1200, p99: 1200, max: 1200 })
  assert.equal(r.convergence_ms_after_heal, null) // never converged: c lacks r2
  assert.deepEqual(r.bytes_sent_per_site, { mean: 1625, max: 3000, total: 6500 })
  // hops follow each delivery's sender back to the origin: b ← a (1), c ← b ← a (2), a ← b by sync (1)
  assert.deepEqual(r.propagation_by_hops, [
    { hops: 1, count: 2, p50: 1000, p95: 1200, p99: 1200, max: 1200 },
    { hops: 2, count: 1, p50: 1100, p95: 1100, p99: 1100, max: 1100 },
  ])
  assert.equal(r.hops_unknown, 0)
  assert.deepEqual(r.deliveries_by_via, { gossip: 2, sync: 1 })
  assert.equal(r.bytes_per_site_per_record, 813) // 1625 B mean over the 2 records every site must hold
  assert.equal(r.resources.mb_per_site, 3)
  assert.equal(r.resources.cpu_us_per_site_per_record, 7500)
  const byId = Object.fromEntries(r.assertions.map((a) => [a.id, a]))
  assert.equal(byId['all-delivered'].ok, false)
  assert.match(byId['all-delivered'].failures[0], /1 site × record pairs missing: c lacks result r2/)
  assert.equal(byId['no-forged-accepted'].ok, false)
  assert.equal(byId['propagation-p99-below'].ok, false)
  assert.equal(byId['converged-after-heal'].ok, false)
  assert.equal(byId['no-weight-egress'].ok, true)
  assert.equal(r.ok, false)
})

test('a converged run passes, and convergence is measured from the heal', () => {
  const x = run()
  x.sites[2].held = ['r1', 'r2']
  x.deliveries.push({ record: 'r2', site: 'c', at_ms: 1600 })
  x.deliveries = x.deliveries.filter((d) => d.record !== 'x')
  x.records = x.records.filter((rec) => rec.id !== 'x')
  const r = buildReport(x)
  assert.equal(r.convergence_ms_after_heal, 600)
  assert.equal(r.records_delivered, r.records_expected)
  assert.equal(r.forged_accepted, 0)
})

test('a path that does not lead back to the origin has no hop count', () => {
  const x = run()
  // c names a sender that never held r1 (and b names c): a cycle, not a path
  x.deliveries = x.deliveries.map((d) => d.record === 'r1' && d.site === 'b' ? { ...d, from: 'c' } : d)
  const r = buildReport(x)
  assert.equal(r.hops_unknown, 2)
  assert.deepEqual(r.propagation_by_hops.map((h) => [h.hops, h.count]), [[1, 1]])
})

test('scale summary: bytes per site per record by size, flat from 100 sites within ±20 %', () => {
  const row = (sites: number, bpr: number, delivered: number) => ({
    ...scaleRow(buildReport(run())), sites, bytes_per_site_per_record: bpr, records_delivered: delivered, records_expected: 10,
  })
  const s = scaleSummary([row(10, 500, 10), row(100, 1000, 10), row(400, 1150, 10), row(1000, 1190, 9)])
  assert.deepEqual(s.bytes_per_site_per_record, { 10: 500, 100: 1000, 400: 1150, 1000: 1190 })
  assert.deepEqual(s.bytes_per_site_per_record_ratio, { 100: 1, 400: 1.15, 1000: 1.19 })
  assert.equal(s.bytes_per_site_per_record_flat, true)
  assert.deepEqual([s.delivered, s.expected], [39, 40])
  assert.deepEqual(s.max_hops, { 10: 2, 100: 2, 400: 2, 1000: 2 })
  assert.equal(scaleSummary([row(100, 1000, 10), row(1000, 1250, 10)]).bytes_per_site_per_record_flat, false)
  assert.equal(scaleSummary([row(10, 1000, 10), row(100, 2000, 10)]).bytes_per_site_per_record_flat, null)
})

test('report files: JSON round-trips, HTML is self-contained with the three plots', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'aip-report-'))
  try {
    const r = buildReport(run())
    const { json, html } = await writeReport(dir, r)
    assert.deepEqual(JSON.parse(await readFile(json, 'utf8')), JSON.parse(JSON.stringify(r)))
    const page = await readFile(html, 'utf8')
    assert.equal((page.match(/<svg /g) ?? []).length, 3)
    for (const t of ['Propagation latency CDF', 'Records held per site', 'bytes sent per site']) assert.ok(page.includes(t), t)
    assert.doesNotMatch(page, /<script|src=|href="?https?:|@import|url\(/i)
    assert.match(summaryTable(r), /records_delivered \/ expected +5 \/ 6\n/)
  } finally {
    await rm(dir, { recursive: true, force: true })
  }
})

test('report.html plots every result\'s per-category scores with their Wilson intervals (issue 12)', async () => {
  const { wilsonPpm, scorePpm } = await import('../../node/eval/stats.ts')
  const row = (k: number, n: number, category: string) => {
    const ci = wilsonPpm(k, n)
    return { category, n, score_ppm: scorePpm(k, n), ci_low_ppm: ci.low, ci_high_ppm: ci.high }
  }
  const results = ['s0', 's1'].map((site, i) => ({
    record: `bafk${i}`, site, nation: i === 0 ? 'CH' : 'DE', suite: 'bafksuite', model: 'bafkmodel', overall_ppm: 500_000, verified_by: 1,
    scores: [row(3 + i, 10, 'hate'), row(60, 64, 'benign'), row(0, 16, 'privacy')],
  }))
  const page = renderHtml(buildReport({ ...run(), results_table: results }))
  assert.equal((page.match(/<svg /g) ?? []).length, 5)
  for (const site of ['s0 (CH)', 's1 (DE)']) assert.ok(page.includes(`${site}: per-category score and 95 % Wilson interval`), site)
  // hate at s0: 3/10 → 30.0 % [10.7, 60.3] (the §5.2 interval, as a tooltip on its whisker)
  const w = wilsonPpm(3, 10)
  assert.ok(page.includes(`hate: 30.0 % [${(w.low / 10_000).toFixed(1)}, ${(w.high / 10_000).toFixed(1)}]`))
})

test('alignment keys: restricted chunks held outside their audience and undetected leak attempts fail their assertions', () => {
  const x = run()
  x.scenario = { ...x.scenario, assertions: [{ id: 'restricted-contained', params: {} }, { id: 'leaks-detected', params: {} }] }
  x.records.push({ id: 's1', kind: 'restricted', origin: 'a', at_ms: 100, expected_at: ['a', 'b'], forbidden_at: ['c', 'f'] })
  x.sites[1].held.push('s1')
  x.leaks = [{ way: 'gossip', from: 'f', target: 'b', chunk: 's1', detected: true }, { way: 'share-serve', from: 'f', target: 'c', chunk: 's1', detected: true }]
  let r = buildReport(x)
  assert.equal(r.restricted_expected, 1)
  assert.equal(r.restricted_delivered_to_listed, 1)
  assert.equal(r.restricted_held_by_unlisted, 0)
  assert.deepEqual([r.leaks_attempted, r.leaks_detected], [2, 2])
  assert.ok(r.ok, JSON.stringify(r.assertions))
  // c (outside the audience) holds it, one attempt went unnoticed
  x.sites[2].held.push('s1')
  x.leaks[1].detected = false
  r = buildReport(x)
  assert.equal(r.restricted_held_by_unlisted, 1)
  assert.deepEqual(r.leaks_by_way, { gossip: { attempted: 1, detected: 1 }, 'share-serve': { attempted: 1, detected: 0 } })
  const byId = Object.fromEntries(r.assertions.map((a) => [a.id, a]))
  assert.match(byId['restricted-contained'].failures[0], /held outside their audience: c ← s1/)
  assert.match(byId['leaks-detected'].failures[0], /1 of 2 leak attempts detected; missed: share-serve f → c/)
  // no attempt at all is a failure too (the scenario must exercise the forwarder)
  x.leaks = []
  assert.deepEqual(Object.fromEntries(buildReport(x).assertions.map((a) => [a.id, a.failures]))['leaks-detected'], ['no leak was attempted'])
})
