/**
 * `npm run bench -- adversarial [--inputs N] [--restarts N] [--seed S]` (issue 11 §Benchmark): replays an attack for
 * each fault of issue 11 on real components, runs the fuzz targets (default 1,000,000 inputs), kills a site process
 * with SIGKILL under gossip load and restarts it, floods a site from a certified member at 10× its rate limit, and
 * connects fresh identities that never finish hello. Prints a table, then one JSON line.
 */
import '../node/polyfill.ts'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { parseArgs } from 'node:util'
import { ATTACKS, replay } from './adversarial/attacks/index.ts'
import { kill9Loop, pendingPeers, spamRun } from './adversarial/load.ts'
import { runFuzz } from '../test/fuzz/run.ts'

const { values } = parseArgs({ options: {
  inputs: { type: 'string', default: '1000000' }, restarts: { type: 'string', default: '50' }, seed: { type: 'string', default: '1' },
  identities: { type: 'string', default: '100' }, 'spam-seconds': { type: 'string', default: '8' },
} })
const work = await mkdtemp(join(tmpdir(), 'aip-bench-adversarial-'))
const log = (l: string) => console.log(l)
try {
  log('== attack replays (issue 11 faults): SUCCEEDED = the fault is still there')
  const attacks = await replay(ATTACKS, log)
  const succeeded = attacks.filter((a) => 'succeeded' in a.result && a.result.succeeded).map((a) => a.attack.fault)
  const errors = attacks.filter((a) => 'error' in a.result).map((a) => a.attack.fault)

  log(`\n== fuzzing: ${values.inputs} inputs, seed ${values.seed}`)
  const fuzz = await runFuzz(Number(values.inputs), Number(values.seed), undefined, log)

  log(`\n== kill -9 under gossip load: ${values.restarts} restarts`)
  const k9 = await kill9Loop(await mkdtemp(join(work, 'k9-')), Number(values.restarts), log)
  log(`  ${k9.restarts} restarts (mean restart ${k9.meanRestartMs.toFixed(0)} ms), ${k9.acked} records acknowledged, ${k9.lost} lost, ${k9.trustMismatch} trust mismatches (fingerprint of the ${k9.fingerprintOf} before each kill)`)

  log('\n== a certified member floods at 10× its rate limit')
  const spam = await spamRun(await mkdtemp(join(work, 'spam-')), Number(values['spam-seconds']))
  log(`  honest p99 ${spam.p99QuietMs.toFixed(1)} ms quiet, ${spam.p99SpamMs.toFixed(1)} ms under spam (×${spam.ratio.toFixed(2)}); spam sent ${spam.spamSent}, accepted ${spam.spamAccepted}, allowed by the limit ${spam.spamAllowed}`)

  log(`\n== ${values.identities} fresh identities connect and gossip without hello`)
  const pend = await pendingPeers(await mkdtemp(join(work, 'pend-')), Number(values.identities))
  const held = pend.held === null ? 'not counted by this node' : `${(pend.held / 2 ** 20).toFixed(2)} MiB`
  log(`  ${pend.connected} of ${pend.identities} identities got through and sent ${(pend.sentBytes / 2 ** 20).toFixed(1)} MiB; held for peers in hello (the node's count): ${held}; site memory growth up to ${(pend.memoryGrowth / 2 ** 20).toFixed(1)} MiB`)

  console.log(JSON.stringify({
    attacks: attacks.length,
    attacks_succeeded: succeeded.length,
    attacks_still_succeeding: succeeded,
    attack_errors: errors,
    fuzz_inputs: fuzz.inputs,
    fuzz_failures: fuzz.failures,
    fuzz_failures_by_target: Object.fromEntries(fuzz.targets.filter((t) => t.failures > 0).map((t) => [t.name, t.failures])),
    kill9_restarts: k9.restarts,
    accepted_lost: k9.lost,
    trust_mismatch_after_restart: k9.trustMismatch,
    records_acknowledged: k9.acked,
    trust_fingerprint_before_kill: k9.fingerprintOf,
    honest_p99_ratio_under_spam: Number(spam.ratio.toFixed(3)),
    honest_p99_ms: { quiet: Number(spam.p99QuietMs.toFixed(1)), spam: Number(spam.p99SpamMs.toFixed(1)) },
    spam_accepted_over_quota: spam.overQuota,
    // the node's own high-water mark of bytes held for peers in hello; memory growth where the node keeps no count
    pending_peer_bytes_max: pend.held ?? pend.memoryGrowth,
    pending_peer_memory_growth_bytes: pend.memoryGrowth,
    pending_identities: pend.identities,
    pending_identities_connected: pend.connected,
  }))
} finally {
  await rm(work, { recursive: true, force: true })
}
process.exit(0)
