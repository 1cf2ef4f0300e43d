import '../../node/polyfill.ts'
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { loadScenario } from '../../simulations/scenario/load.ts'
import { simulateScenario } from '../../simulations/simulate.ts'

// The shipped `alignment-exchange` scenario (issue 13 item 7), as shipped: seven site processes over TCP on 127.0.0.1
// (five nations), a GREEN, an AMBER (CH, FR) and an AMBER+STRICT (ch-1) bundle, and fr-2, a listed FR site, leaking
// the AMBER chunks to IT and EE by gossip, by pushing them over /aip/share/1.0.0, by relabelling them under a manifest
// of its own and serving them to anyone. Fails if a site outside an audience ends up holding a restricted chunk, if a
// listed site lacks one, or if a leak attempt was not refused and logged by the site it was aimed at.
test('alignment-exchange: restricted content reaches exactly its audience; every leak attempt is refused and logged', { timeout: 400_000 }, async () => {
  const out = await mkdtemp(join(tmpdir(), 'aip-sim-align-'))
  try {
    const scenario = await loadScenario('alignment-exchange')
    assert.equal(scenario.mode, 'process')
    const { report } = await simulateScenario(scenario, { out })
    assert.deepEqual(report.assertions.filter((a) => !a.ok), [])
    assert.equal(report.restricted_held_by_unlisted, 0)
    // DE's AMBER bundle (3 chunks) at ch-1, ch-2, fr-1; IT's AMBER+STRICT bundle (2 chunks) at ch-1
    assert.equal(report.restricted_expected, 3 * 3 + 2)
    assert.equal(report.restricted_delivered_to_listed, report.restricted_expected)
    for (const way of ['gossip', 'share-push', 'share-serve', 'share-unrequested']) {
      const w = report.leaks_by_way[way]
      assert.ok(w !== undefined && w.attempted > 0, `${way} attempted: ${JSON.stringify(report.leaks_by_way)}`)
    }
    assert.equal(report.leaks_detected, report.leaks_attempted)
    assert.equal(report.weight_bytes_egressed, 0)
    assert.equal(report.records_delivered, report.records_expected)
    // receivers refused the gossiped chunks at the door (alignment-v1 O1)
    assert.ok((report.outcomes_by_code.restricted_content ?? 0) >= report.leaks_by_way.gossip!.attempted)
  } finally {
    await rm(out, { recursive: true, force: true })
  }
})
