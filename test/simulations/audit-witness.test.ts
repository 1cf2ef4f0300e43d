import '../../node/polyfill.ts'
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { loadScenario } from '../../simulations/scenario/load.ts'
import { simulateScenario } from '../../simulations/simulate.ts'

// The shipped audit-witness scenario (issue 15 item 7): five nations on real libp2p (memory transport), real logs on
// disk. The equivocator's split view must be found by every honest site — read back from each site's own alert
// list — and nothing else may be accused. Run once with the attack and once without it, so a runner or an assertion
// that reported detection without the sites raising it would fail the second run.
test('audit-witness: a split view is alerted at every honest site; no false alarm; every honest log verifies', { timeout: 180_000 }, async () => {
  const scenario = await loadScenario('audit-witness')
  const out = await mkdtemp(join(tmpdir(), 'aip-sim-audit-'))
  try {
    const { report } = await simulateScenario(scenario, { out })
    assert.deepEqual(report.assertions.filter((a) => !a.ok), [])
    assert.equal(report.equivocations_injected, 1)
    assert.equal(report.equivocations_detected, 1)
    assert.equal(report.equivocation_alerts, 4, 'each of the 4 honest sites')
    assert.equal(report.false_alarms, 0)
    assert.equal(report.checkpoints_witnessed, report.honest_checkpoints)
    assert.ok((report.honest_checkpoints ?? 0) >= 12)
    assert.ok((report.entries_verified ?? 0) > 4 * 6, `entries_verified ${report.entries_verified}`)
    assert.equal(report.logs_verified, 4)
    // the proof reached the sites as a record through the door
    assert.ok((report.outcomes_by_code.ok ?? 0) > 0)

    const quiet = { ...scenario, name: 'audit-witness-quiet', timeline: scenario.timeline.filter((e) => e.type !== 'attack'), settle_ms: 3000 }
    const calm = (await simulateScenario(quiet, { out: join(out, 'quiet') })).report
    assert.equal(calm.equivocations_injected, 0)
    assert.equal(calm.equivocations_detected, 0)
    assert.equal(calm.equivocation_alerts, 0)
    assert.equal(calm.false_alarms, 0)
    assert.equal(calm.checkpoints_witnessed, calm.honest_checkpoints)
  } finally {
    await rm(out, { recursive: true, force: true })
  }
})
