import { test } from 'node:test'
import assert from 'node:assert/strict'
import { spawn } from 'node:child_process'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createInterface } from 'node:readline'
import { RecordStore } from '../../../node/store/store.ts'
import { TS_EXEC_ARGV } from '../../../node/runtime.ts'

const WRITER = new URL('./crash-writer.ts', import.meta.url).pathname

/** Runs the writer until it has reported `events` durable events, then SIGKILLs it; returns what it reported. */
async function writeThenKill(location: string, seed: number, events: number): Promise<{ stored: Set<string>; tombs: Set<string> }> {
  const child = spawn(process.execPath, [...TS_EXEC_ARGV, WRITER, location, String(seed)], { stdio: ['ignore', 'pipe', 'inherit'] })
  const stored = new Set<string>()
  const tombs = new Set<string>()
  let seen = 0
  const exited = new Promise<NodeJS.Signals | null>((resolve) => child.once('exit', (_code, signal) => resolve(signal)))
  for await (const line of createInterface({ input: child.stdout })) {
    const [what, id] = line.split(' ')
    if (what === 'stored') stored.add(id)
    if (what === 'tomb') tombs.add(id)
    if (++seen === events) child.kill('SIGKILL') // mid-stream: more puts are in flight
  }
  assert.equal(await exited, 'SIGKILL')
  return { stored, tombs }
}

test('SIGKILL while writing: every reported record is there, every tombstone holds, indexes match records', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'aip-crash-'))
  try {
    const location = join(dir, 'store')
    for (const [round, events] of [[1, 400], [2, 250]]) { // twice: the second run crashes a store recovered from a crash
      const { stored, tombs } = await writeThenKill(location, round, events)
      assert.ok(stored.size > 100, `the writer reported ${stored.size} records`)
      const store = await RecordStore.open(location)
      try {
        for (const id of stored) {
          if (tombs.has(id)) assert.equal(await store.has(id), false, `tombstoned ${id} is back`)
          // A retraction may have become durable after the record was reported but before the writer printed
          // `tomb`: the record is then absent *and* tombstoned, which is correct. Absent and not tombstoned is loss.
          else if (!(await store.has(id))) assert.equal(await store.isTombstoned(id), true, `reported ${id} is lost`)
        }
        for (const id of tombs) assert.equal(await store.isTombstoned(id), true)
        const check = await store.checkIntegrity()
        assert.deepEqual(check.problems, [])
        assert.ok(check.records >= stored.size - tombs.size)
        let results = 0
        for await (const _ of store.list({ type: 'BenchmarkResult' })) results++
        assert.ok(results > 0)
        assert.equal(check.indexEntries, check.records * 2 + results * 2) // all, type; + suite, model for results (format 2)
      } finally {
        await store.close()
      }
    }
  } finally {
    await rm(dir, { recursive: true, force: true })
  }
})
