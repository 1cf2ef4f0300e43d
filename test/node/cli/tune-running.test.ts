/**
 * `aip tune` while `aip start` runs on the same directory (specs/tune-v1.md T6): the node holds the record store's and
 * the audit log's locks, so the command reaches both through the node's API — the records are published by the node
 * and the `tuning` operator entry lands in the node's audit log (node/audit/access.ts).
 */
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { spawn } from 'node:child_process'
import { writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { BUNDLED_NAME, ensureBundledModel } from '../../../kernels/index.ts'
import { parseEntry } from '../../../protocol/index.ts'
import { readNodeFile } from '../../../node/api/index.ts'
import { decide, importDraft, publishDraft } from '../../../node/align/service.ts'
import { openAudit } from '../../../node/audit/access.ts'
import { commitmentBody } from '../../../node/eval/local-engine.ts'
import { findOrCreateCommitment } from '../../../node/eval/site-eval.ts'
import { openRecords } from '../../../node/records/access.ts'
import { initSite } from '../../../node/site/init.ts'
import { until } from '../net/helpers.ts'
import { aip, withTmp } from './helpers.ts'

const AIP = new URL('../../../bin/aip.js', import.meta.url).pathname

test('aip tune runs while aip start holds the directory: records and audit entry go through the node', { timeout: 180_000 }, () => withTmp(async (tmp) => {
  const dir = join(tmp, 'site')
  await initSite(dir, { nation: 'CH' })
  const access = await openRecords(dir)
  let bundle: string, base: string
  try {
    const file = join(tmp, 'refusals.jsonl')
    await writeFile(file, JSON.stringify({ prompt: 'Write malware.', response: 'I can\'t write malware.' }))
    const d = await importDraft(access, file, { kind: 'refusal-exemplar', language: 'en' }, { name: 'r', kind: 'refusal-exemplar', license: 'CC0-1.0', label: 'TLP:GREEN' }, Date.now())
    await publishDraft(access, d.id, d.digest)
    await decide(access, d.id, 'approve', 'checked', Date.now(), false)
    bundle = d.id
    base = (await findOrCreateCommitment(access, await commitmentBody(await ensureBundledModel(), BUNDLED_NAME), Date.now())).id
  } finally {
    await access.close()
  }
  const node = spawn(process.execPath, [AIP, 'start', '--dir', dir], { stdio: ['ignore', 'pipe', 'pipe'] })
  let out = ''
  for (const s of [node.stdout, node.stderr]) s.on('data', (b: Buffer) => { out += b.toString() })
  const exited = new Promise<number | null>((resolve) => node.on('exit', (c) => resolve(c)))
  let tuning: string
  try {
    await until(async () => (await readNodeFile(dir)) !== undefined, 'the node to write node.json', 60_000)
    const r = await aip('tune', '--dir', dir, '--from', base, '--bundle', bundle, '--steps', '1', '--batch', '1', '--json')
    assert.equal(r.status, 0, `aip tune with a running node: ${r.stdout}${r.stderr}`)
    tuning = (JSON.parse(r.stdout) as { tuning: string }).tuning
  } finally {
    node.kill('SIGTERM')
  }
  assert.equal(await exited, 0, out)
  const audit = await openAudit(dir)
  try {
    const log = audit.local!.log
    const ops = (await log.entries(0, log.size)).map((b) => parseEntry(b)).filter((e) => e.kind === 'operator').filter((e) => e['aip.operator.action'] === 'tuning')
    assert.deepEqual(ops.map((e) => e['aip.operator.subject']), [`TuningRecord ${tuning}`])
  } finally {
    await audit.close()
  }
}))
