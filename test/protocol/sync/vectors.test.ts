import { test } from 'node:test'
import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import { VECTOR_DIR, VECTOR_FILES } from './vectors.ts'

for (const [name, compute] of Object.entries(VECTOR_FILES)) {
  test(`specs/vectors/sync/${name} matches the implementation`, () => {
    const committed: unknown = JSON.parse(readFileSync(new URL(name, VECTOR_DIR), 'utf8'))
    assert.deepEqual(JSON.parse(JSON.stringify(compute())), committed)
  })
}
