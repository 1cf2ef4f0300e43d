/**
 * Every limit is a named constant that the spec's constants table also lists (CONTRIBUTING.md): each number of
 * node/net/constants.ts has a row in specs/network-v1.md §9 with the same value; VALIDATION_QUEUES is listed too
 * and its byte budgets add up to VALIDATION_QUEUE_MAX_BYTES (§7).
 */
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import * as C from '../../../node/net/constants.ts'

test('every network constant is in the network-v1 §9 constants table, with its value', () => {
  const spec = readFileSync(new URL('../../../specs/network-v1.md', import.meta.url), 'utf8')
  const table = spec.slice(spec.indexOf('## 9. Constants'), spec.indexOf('## 10.'))
  const rows = new Map([...table.matchAll(/^\| `(\w+)` \| ([^|]+) \|/gm)].map((m) => [m[1]!, m[2]!.trim()]))
  const missing: string[] = []
  for (const [name, value] of Object.entries(C)) {
    if (typeof value !== 'number') continue
    const cell = rows.get(name)
    if (cell === undefined) {
      missing.push(name)
      continue
    }
    const n = cell.replace(/[\s ]/g, '').replace('−', '-')
    if (/^-?\d+(\.\d+)?$/.test(n)) assert.equal(Number(n), value, name)
  }
  assert.deepEqual(missing, [], 'constants missing from network-v1 §9')
  assert.ok(rows.has('VALIDATION_QUEUES'))
  const budgets = Object.values(C.VALIDATION_QUEUES).reduce((n, q) => n + q.maxBytes, 0)
  assert.equal(budgets, C.VALIDATION_QUEUE_MAX_BYTES, 'the families\' byte budgets add up to VALIDATION_QUEUE_MAX_BYTES')
  assert.equal(C.VALIDATION_QUEUES.results.maxLength, C.VALIDATION_QUEUE_MAX)
})
