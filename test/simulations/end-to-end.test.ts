import '../../node/polyfill.ts'
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { mkdtemp, readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { ASSERTION_IDS } from '../../simulations/assertions/index.ts'
import { parseScenario } from '../../simulations/scenario/validate.ts'
import { simulateScenario } from '../../simulations/simulate.ts'

// Three honest site nodes in one process over @libp2p/memory (real stores on disk, hello gate, gossip validation,
// sync), a line topology with latency and loss, a partition cutting ch off while it publishes, then a heal; and a
// fourth, certified site that tries to push its weights out.
const scenario = parseScenario({
  name: 'e2e-3', seed: 42, mode: 'memory',
  sites: [{ id: 'ch', nation: 'CH' }, { id: 'de', nation: 'DE' }, { id: 'fr', nation: 'FR' }, { id: 'leaky', nation: 'EE', role: 'exfiltrator' }],
  topology: { kind: 'edges', edges: [['ch', 'de'], ['de', 'fr'], ['fr', 'leaky']] },
  links: { latency_ms: 5, jitter_ms: 5, loss: 0.05 },
  timeline: [
    { at_ms: 100, type: 'publish', site: '*', count: 2 },
    { at_ms: 300, type: 'attack', site: 'leaky', count: 3 },
    { at_ms: 600, type: 'partition', groups: [['ch'], ['de', 'fr', 'leaky']] },
    { at_ms: 800, type: 'publish', site: 'ch', count: 1 },
    { at_ms: 1500, type: 'heal' },
  ],
  settle_ms: 20000,
  sync_interval_ms: 1000,
  assertions: ['all-delivered', { id: 'converged-after-heal', ms: 15000 }, 'no-forged-accepted', 'no-weight-egress', 'exfil-detected', 'no-runner-errors'],
}, 'e2e-3.json', ASSERTION_IDS)

test('a small federation end to end: delivery, egress accounting, report files', { timeout: 120_000 }, async () => {
  const out = await mkdtemp(join(tmpdir(), 'aip-sim-'))
  try {
    const { report, json, html } = await simulateScenario(scenario, { out })
    assert.deepEqual(report.assertions.filter((a) => !a.ok), [])
    assert.equal(report.ok, true)
    assert.equal(report.records_published, 7)
    assert.equal(report.records_expected, 3 * 7)
    assert.equal(report.records_delivered, 3 * 7)
    assert.equal(report.propagation_ms.count, 2 * 7)
    // ch's record published during the partition reached the others only after the heal.
    assert.ok(report.convergence_ms_after_heal !== null && report.propagation_ms.max >= 1500 - 800, `max ${report.propagation_ms.max}`)
    assert.ok(report.propagation_ms.p50 >= 5, 'latency emulation applies')
    assert.equal(report.weight_bytes_egressed, 0)
    // An attempt counts once a stream to an accomplice opened; after its connections were aborted, fr may refuse
    // the exfiltrator altogether (then no byte leaves and the attempt is not counted).
    assert.ok(report.weight_exfil_attempts >= 2, `attempts: ${report.weight_exfil_attempts}`)
    assert.equal(report.weight_exfil_detected, report.weight_exfil_attempts)
    const leaky = report.site_details.find((s) => s.id === 'leaky')
    // Blocking stops at the first write that carries weights, so only that much is counted.
    assert.ok(leaky !== undefined && leaky.weight_bytes >= 64, 'the exfiltrator\'s weight bytes were found')
    for (const s of report.site_details) assert.ok(s.bytes_sent > 0, `${s.id} sent bytes`)
    // Gossip acceptances are counted by code (sync deliveries are not gossip outcomes).
    assert.ok((report.outcomes_by_code.ok ?? 0) > 0, `outcomes: ${JSON.stringify(report.outcomes_by_code)}`)
    assert.equal(JSON.parse(await readFile(json, 'utf8')).scenario, 'e2e-3')
    assert.match(await readFile(html, 'utf8'), /<svg /)
  } finally {
    await rm(out, { recursive: true, force: true })
  }
})
