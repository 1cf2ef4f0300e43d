/**
 * The direction of dependencies (CONTRIBUTING.md): simulations → node → protocol, kernels. protocol and kernels
 * import neither node nor each other; nothing outside simulations imports simulations.
 */
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { readdirSync, readFileSync, statSync } from 'node:fs'
import { dirname, join, relative, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'

const ROOT = resolve(fileURLToPath(new URL('..', import.meta.url)))
const FORBIDDEN: Record<string, string[]> = {
  protocol: ['node', 'kernels', 'simulations'],
  kernels: ['node', 'protocol', 'simulations'],
  node: ['simulations'],
}

function sources(dir: string, out: string[] = []): string[] {
  for (const name of readdirSync(dir)) {
    const p = join(dir, name)
    if (statSync(p).isDirectory()) sources(p, out)
    else if (name.endsWith('.ts')) out.push(p)
  }
  return out
}

test('dependencies point one way: simulations → node → protocol, kernels', () => {
  const violations: string[] = []
  for (const [folder, banned] of Object.entries(FORBIDDEN)) {
    for (const file of sources(join(ROOT, folder))) {
      const text = readFileSync(file, 'utf8')
      for (const m of text.matchAll(/(?:from|import)\s*\(?\s*['"](\.{1,2}\/[^'"]+)['"]/g)) {
        const target = relative(ROOT, resolve(dirname(file), m[1]!)).split('/')[0]!
        if (banned.includes(target)) violations.push(`${relative(ROOT, file)} imports ${m[1]}`)
      }
    }
  }
  assert.deepEqual(violations, [])
})
