/**
 * SIGKILL while appending, twice: every entry reported durable is there, the tree on disk is whole (every tile and
 * bundle verifies against a root recomputed from the entries), and the log keeps appending where it stopped.
 */
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { spawn } from 'node:child_process'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createInterface } from 'node:readline'
import { merkleRoot } from '../../../protocol/merkle.ts'
import { bundlesOfTree, LogVerifier, parseEntry, tilesOfTree } from '../../../protocol/audit/index.ts'
import { AuditLog } from '../../../node/audit/log.ts'
import { TS_EXEC_ARGV } from '../../../node/runtime.ts'

const WRITER = new URL('./crash-writer.ts', import.meta.url).pathname

async function appendThenKill(location: string, events: number): Promise<number> {
  const child = spawn(process.execPath, [...TS_EXEC_ARGV, WRITER, location], { stdio: ['ignore', 'pipe', 'inherit'] })
  const exited = new Promise<NodeJS.Signals | null>((resolve) => child.once('exit', (_code, signal) => resolve(signal)))
  let highest = -1
  let seen = 0
  for await (const line of createInterface({ input: child.stdout })) {
    if (!line.startsWith('ok ')) continue
    highest = Math.max(highest, Number(line.slice(3)))
    if (++seen === events) child.kill('SIGKILL')
  }
  assert.equal(await exited, 'SIGKILL')
  return highest
}

test('SIGKILL while appending: reported entries survive and the tree on disk verifies', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'aip-audit-crash-'))
  try {
    const location = join(dir, 'audit')
    for (const events of [700, 400]) {
      const highest = await appendThenKill(location, events)
      const log = await AuditLog.open(location)
      try {
        assert.ok(log.size > highest, `size ${log.size}, entry ${highest} was reported durable`)
        const entries = await log.entries(0, log.size)
        entries.forEach((e) => parseEntry(e))
        const root = await log.root()
        assert.deepEqual(root, merkleRoot(entries))
        const v = new LogVerifier(log.size)
        for (const b of bundlesOfTree(log.size)) v.addBundle(b.index, (await log.bundle(b.index, b.width))!, (await log.tileOfWidth(0, b.index, b.width))!)
        for (const t of tilesOfTree(log.size).filter((t) => t.level !== 0)) v.addTile(t.level as number, t.index, (await log.tileOfWidth(t.level as number, t.index, t.width))!)
        assert.deepEqual(v.root(), root)
        const next = await log.append({ kind: 'operator', time: 1, 'aip.operator.action': 'other', 'aip.operator.subject': 'after the crash' })
        assert.equal(next, entries.length)
      } finally {
        await log.close()
      }
    }
  } finally {
    await rm(dir, { recursive: true, force: true })
  }
})
