/**
 * Every limit is a named constant that the spec's constants table also lists (CONTRIBUTING.md): each export of
 * protocol/constants.ts has a row in specs/aip-v1.md §2 with the same value.
 */
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import * as C from '../../protocol/constants.ts'

test('every protocol constant is in the aip-v1 §2 constants table, with its value', () => {
  const spec = readFileSync(new URL('../../specs/aip-v1.md', import.meta.url), 'utf8')
  const table = spec.slice(spec.indexOf('## 2. Constants'), spec.indexOf('## 3.'))
  const rows = new Map([...table.matchAll(/^\| `(\w+)`[^|]* \| ([^|]+) \|/gm)].map((m) => [m[1]!, m[2]!.trim()]))
  assert.ok(spec.includes(`(\`${C.AIP_VERSION}\`)`), 'the header names the protocol version')
  for (const [name, value] of Object.entries(C)) {
    if (name === 'AIP_VERSION') continue
    assert.ok(rows.has(name), `${name} is not in the constants table`)
    const cell = rows.get(name)!.replace(/[\s ]/g, '').replace('−', '-')
    if (/^-?(\d+|0x[0-9a-f]+)$/i.test(cell)) assert.equal(Number(cell), value, name)
  }
})
