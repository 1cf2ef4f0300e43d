import '../../node/polyfill.ts'
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { ASSERTION_IDS } from '../../simulations/assertions/index.ts'
import { parseScenario } from '../../simulations/scenario/validate.ts'
import { simulateScenario } from '../../simulations/simulate.ts'

// Mode "process": three site nodes, each in its own OS process, over real TCP on 127.0.0.1; one is killed and
// restarted (new port) while the others publish, and must catch up.
const scenario = parseScenario({
  name: 'tcp-3', seed: 9, mode: 'process',
  sites: [{ id: 'ch', nation: 'CH' }, { id: 'de', nation: 'DE' }, { id: 'fr', nation: 'FR' }],
  topology: { kind: 'full' },
  links: { latency_ms: 2 },
  timeline: [
    { at_ms: 100, type: 'publish', site: '*', count: 1 },
    { at_ms: 300, type: 'kill', site: 'fr' },
    { at_ms: 400, type: 'publish', site: 'ch', count: 2 },
    { at_ms: 800, type: 'restart', site: 'fr' },
  ],
  settle_ms: 30000,
  sync_interval_ms: 1000,
  assertions: ['all-delivered', 'no-weight-egress', 'no-runner-errors'],
}, 'tcp-3.json', ASSERTION_IDS)

test('process mode: sites as OS processes over TCP, kill and restart', { timeout: 180_000 }, async () => {
  const out = await mkdtemp(join(tmpdir(), 'aip-sim-tcp-'))
  try {
    const { report } = await simulateScenario(scenario, { out })
    assert.deepEqual(report.assertions.filter((a) => !a.ok), [])
    assert.equal(report.mode, 'process')
    assert.equal(report.records_expected, 3 * 5)
    assert.equal(report.records_delivered, 3 * 5)
    for (const s of report.site_details) assert.ok(s.alive && s.bytes_sent > 0, s.id)
  } finally {
    await rm(out, { recursive: true, force: true })
  }
})
