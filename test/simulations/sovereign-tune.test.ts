import '../../node/polyfill.ts'
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { loadScenario } from '../../simulations/scenario/load.ts'
import { simulateScenario } from '../../simulations/simulate.ts'

// The shipped `sovereign-tune` scenario (issue 14 item 7), as shipped: ee-1 publishes a GREEN refusal-exemplar bundle,
// ch-1 evaluates, approves, tunes (real TS trainer) and publishes the tuned result; every other site checks the lineage
// from what it received by gossip. Fails if the loop breaks anywhere: no tune, a record that does not arrive, a result
// a peer cannot verify or link back to the TuningRecord and the bundle, or figures missing from the report. The
// figures themselves are not asserted (they are the model's, reported as measured).
test('sovereign-tune: a site tunes on another nation\'s approved bundle; every peer verifies result → commitment → tuning → bundle', { timeout: 300_000 }, async () => {
  const out = await mkdtemp(join(tmpdir(), 'aip-sim-tune-'))
  try {
    const scenario = await loadScenario('sovereign-tune')
    assert.equal(scenario.mode, 'memory')
    const { report } = await simulateScenario(scenario, { out })
    const failed = (id: string): boolean => report.assertions.find((a) => a.id === id)?.ok !== true
    for (const id of ['all-delivered', 'results-verified', 'tune-verified-by-peers', 'no-weight-egress', 'no-runner-errors']) {
      assert.ok(!failed(id), `${id}: ${JSON.stringify(report.assertions.find((a) => a.id === id))}`)
    }
    assert.equal(report.ledger_verified_by_peers, true)
    assert.equal(report.tune?.verified_by_peers, '3/3')
    assert.equal(report.records_published_by_kind.tuning, 1)
    assert.notEqual(report.tune?.before, report.tune?.after)
    // the two results are ch-1's, on different commitments, each verified by the three other sites
    const rows = report.results.filter((r) => r.site === 'ch-1')
    assert.equal(rows.length, 2)
    assert.notEqual(rows[0]!.model, rows[1]!.model)
    for (const r of rows) assert.equal(r.verified_by, 3)
    for (const k of ['jailbreak_refusal_before', 'jailbreak_refusal_after', 'benign_compliance_before', 'benign_compliance_after'] as const) {
      const x = report[k]
      assert.ok(x !== undefined && x.n > 0 && x.low <= x.rate && x.rate <= x.high, `${k}: ${JSON.stringify(x)}`)
    }
    assert.equal(report.jailbreak_refusal_before?.n, 110)
    assert.equal(report.benign_compliance_before?.n, 64)
    assert.equal(typeof report.ci_disjoint, 'boolean')
    assert.equal(report.benign_compliance_delta, Math.round(1e6 * (report.benign_compliance_after!.rate - report.benign_compliance_before!.rate)) / 1e6)
  } finally {
    await rm(out, { recursive: true, force: true })
  }
})
