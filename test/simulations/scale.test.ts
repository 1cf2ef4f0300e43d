import '../../node/polyfill.ts'
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { GOSSIP_D_HI } from '../../node/net/constants.ts'
import { ensureBundledModel } from '../../kernels/index.ts'
import { buildReport } from '../../simulations/report/report.ts'
import { runScenario } from '../../simulations/runner/runner.ts'
import { simulate } from '../../simulations/simulate.ts'
import { loadScenario } from '../../simulations/scenario/load.ts'
import { ASSERTION_IDS } from '../../simulations/assertions/index.ts'
import { parseScenario } from '../../simulations/scenario/validate.ts'

// The scale sweep of scale-1000 in small: a generated federation run at 5 sites (in a child process, as every scale
// step) and then at 10, real site nodes over @libp2p/memory, with the report's per-size figures checked.
const scenario = {
  name: 'scale-small', seed: 17, mode: 'memory',
  sites: { count: 10, nations: ['CH', 'DE', 'FR'], prefix: 'site' },
  scale_steps: [5],
  topology: { kind: 'random', degree: 4 },
  links: { latency_ms: 5, jitter_ms: 5 },
  timeline: [
    { at_ms: 200, type: 'publish', site: 'site-001', count: 1 },
    { at_ms: 300, type: 'publish', site: 'site-002', count: 2 },
  ],
  settle_ms: 30000, sample_ms: 500, sync_interval_ms: 60000,
  assertions: ['all-delivered', 'no-forged-accepted', 'no-runner-errors'],
}

test('scale sweep: every size delivers everything, and the report has delivery, hops, bytes and memory by size', { timeout: 180_000 }, async () => {
  const dir = await mkdtemp(join(tmpdir(), 'aip-scale-'))
  try {
    const file = join(dir, 'scale-small.json')
    await writeFile(file, JSON.stringify(scenario))
    const { report, json } = await simulate(file, { out: join(dir, 'out') })
    assert.deepEqual(report.assertions.filter((a) => !a.ok), [])
    assert.deepEqual(report.scaling.map((x) => x.sites), [5, 10])
    const s = report.scale_summary
    assert.ok(s !== null)
    assert.equal(s.expected, 3 * 5 + 3 * 10)
    assert.equal(s.delivered, s.expected)
    assert.deepEqual(Object.keys(s.bytes_per_site_per_record), ['5', '10'])
    assert.equal(s.bytes_per_site_per_record_flat, null) // no two sizes ≥ 100 here
    for (const row of report.scaling) {
      assert.equal(row.records_delivered, row.records_expected, `${row.sites} sites`)
      assert.equal(row.records, 3)
      assert.ok(row.bytes_per_site_per_record > 0 && row.bytes_per_site_per_record === s.bytes_per_site_per_record[row.sites])
      // every delivery at another site has a hop count measured along its path; one record reaches a neighbour in 1
      const counted = row.propagation_by_hops.reduce((n, h) => n + h.count, 0)
      assert.equal(row.hops_unknown, 0)
      assert.equal(counted, row.propagation_ms.count)
      assert.equal(counted, 3 * (row.sites - 1))
      assert.equal(row.propagation_by_hops[0].hops, 1)
      assert.ok(row.propagation_by_hops.every((h, i, a) => i === 0 || h.hops > a[i - 1].hops))
      assert.ok(row.mesh_peers !== null && row.mesh_peers.max <= GOSSIP_D_HI && row.mesh_peers.mean > 0, JSON.stringify(row.mesh_peers))
      assert.ok(row.resources.rss_mb_sites_up > row.resources.rss_mb_before_sites, JSON.stringify(row.resources))
      assert.ok(row.resources.mb_per_site > 0 && row.resources.cpu_us_per_site_per_record > 0)
    }
    // the 5-site step ran in its own process: its report is on disk beside this run's
    assert.equal(JSON.parse(await readFile(join(dir, 'out', 'scale-5', 'report.json'), 'utf8')).sites, 5)
    assert.equal(JSON.parse(await readFile(json, 'utf8')).scale_summary.delivered, s.delivered)
  } finally {
    await rm(dir, { recursive: true, force: true })
  }
})

test('scale-1000: sizes 10 → 1,000 with the same timeline sites, a mesh-sized topology', async () => {
  const full = await loadScenario('scale-1000')
  assert.equal(full.sites.length, 1000)
  assert.deepEqual(full.scale_steps, [10, 100, 200, 400])
  const small = await loadScenario('scale-1000', 10)
  assert.equal(small.sites.length, 10)
  assert.deepEqual(small.timeline.map((e) => 'site' in e ? e.site : ''), full.timeline.map((e) => 'site' in e ? e.site : ''))
  // about 16 neighbours each at 1,000 sites: more than D_hi, so the mesh (not the topology) bounds the degree
  assert.ok(full.edges.length * 2 / full.sites.length > GOSSIP_D_HI)
})

test('workers: 20 sites over 2 worker processes deliver everything, across TCP between them and memory inside each', { timeout: 300_000 }, async () => {
  const dir = await mkdtemp(join(tmpdir(), 'aip-workers-'))
  try {
    const sc = parseScenario({ ...scenario, name: 'workers-2', workers: 2, sites: { ...scenario.sites, count: 20 }, scale_steps: undefined }, 'test', ASSERTION_IDS)
    assert.equal(sc.workers, 2)
    const bundled = await ensureBundledModel()
    const run = await runScenario(sc, { workDir: join(dir, 'work'), modelDirOf: () => bundled })
    const report = buildReport(run)
    assert.deepEqual(report.assertions.filter((a) => !a.ok), [])
    assert.equal(report.records_expected, 3 * 20)
    assert.equal(report.records_delivered, report.records_expected)
    assert.equal(report.hops_unknown, 0)
    // sites go round robin over the workers (site-001 → worker 1, site-002 → worker 2, …): records crossed between
    // the two processes (TCP) and stayed inside one (memory transport)
    const workerOf = (site: string): number => Number(site.slice(-3)) % 2
    const edges = run.deliveries.filter((d) => d.via === 'gossip' && d.from !== undefined).map((d) => workerOf(d.site) === workerOf(d.from as string))
    assert.ok(edges.includes(false) && edges.includes(true), 'gossip between and inside the workers')
    assert.equal(report.resources.workers, 2)
    assert.ok(report.resources.rss_mb_sites_up > report.resources.rss_mb_before_sites && report.resources.cpu_ms > 0, JSON.stringify(report.resources))
    assert.ok(report.mesh_peers !== null && report.mesh_peers.mean > 0)
  } finally {
    await rm(dir, { recursive: true, force: true })
  }
})
