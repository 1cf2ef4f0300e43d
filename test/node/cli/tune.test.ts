/**
 * `aip tune` and `aip model states|certify|rollback` through the real binary (specs/tune-v1.md §1, §4, §9): help,
 * usage errors, and the [CODE] errors of hostile or wrong input — an unknown commitment, an unknown bundle, --lora,
 * a malformed hash to forget, certify and rollback of the bundled model.
 */
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { join } from 'node:path'
import { BUNDLED_NAME, ensureBundledModel } from '../../../kernels/index.ts'
import { openRecords } from '../../../node/records/access.ts'
import { commitmentBody } from '../../../node/eval/local-engine.ts'
import { findOrCreateCommitment } from '../../../node/eval/site-eval.ts'
import { aip, aipJson, withTmp } from './helpers.ts'

test('aip tune / aip model states: help, codes, certify and rollback of the bundled model', () => withTmp(async (tmp) => {
  const dir = join(tmp, 'site')
  await aipJson(0, 'init', '--dir', dir, '--nation', 'CH', '--json')
  assert.match((await aip('tune', '--help')).stdout, /APPROVED alignment bundles only/)
  assert.equal((await aip('tune', '--dir', dir, '--from', 'x')).status, 2) // no --bundle
  const unknown = await aip('tune', '--dir', dir, '--from', 'bafkreinothere', '--bundle', 'bafkreialsonot')
  assert.equal(unknown.status, 1)
  assert.match(unknown.stderr, /\[TUNE_UNKNOWN_COMMITMENT\]/)
  const lora = await aip('tune', '--dir', dir, '--from', 'x', '--bundle', 'y', '--lora', '8')
  assert.match(lora.stderr, /\[TUNE_LORA_UNSUPPORTED\]/)
  assert.match((await aip('tune', '--help')).stdout, /--trainer external/)
  assert.equal((await aip('tune', '--dir', dir, '--from', 'x', '--bundle', 'y', '--trainer', 'torch')).status, 2)
  assert.equal((await aip('tune', '--dir', dir, '--from', 'x', '--bundle', 'y', '--command', 'true')).status, 2) // --command without --trainer external
  const cfg = await aipJson<{ tune?: unknown }>(0, 'config', '--dir', dir, '--tune-command', '/usr/bin/python3 /opt/train.py', '--tune-timeout', '3600', '--json')
  assert.deepEqual(cfg.tune, { externalCommand: '/usr/bin/python3 /opt/train.py', externalTimeoutSeconds: 3600 })
  assert.equal((await aip('config', '--dir', dir, '--tune-timeout', '0')).status, 2)
  assert.match((await aip('tune', 'forget', '--dir', dir, '--item', 'not-a-hash')).stderr, /\[TUNE_DATUM_UNKNOWN\]/)
  assert.match((await aip('tune', 'verify', '--dir', dir, '--commitment', 'bafkreinothere')).stderr, /\[TUNE_UNKNOWN_COMMITMENT\]/)
  assert.deepEqual(await aipJson(0, 'model', 'states', '--dir', dir, '--json'), [])

  // A ModelCommitment of the bundled model (as `aip bench run` makes), certified, then restored bit for bit.
  const access = await openRecords(dir)
  const base = await findOrCreateCommitment(access, await commitmentBody(await ensureBundledModel(), BUNDLED_NAME), Date.now()).finally(() => access.close())
  const notCertified = await aip('model', 'rollback', '--dir', dir, '--to', base.id)
  assert.match(notCertified.stderr, /\[STATE_UNKNOWN\]/) // not in the state store yet
  await aipJson(0, 'model', 'certify', '--dir', dir, '--commitment', base.id, '--json')
  const back = await aipJson<{ weights_root: string; to: string }>(0, 'model', 'rollback', '--dir', dir, '--to', base.id, '--json')
  assert.equal(back.weights_root, Buffer.from(base.body.weights_root).toString('hex'))
  const committed = await aipJson<{ weights_root: string }>(0, 'model', 'commit', '--model', join(dir, 'tune', 'model'), '--json')
  assert.equal(committed.weights_root, back.weights_root)
  const states = await aipJson<Array<{ commitment: string; certified: boolean; current: boolean }>>(0, 'model', 'states', '--dir', dir, '--json')
  assert.deepEqual(states.map((r) => [r.commitment, r.certified, r.current]), [[base.id, true, true]])
}))
