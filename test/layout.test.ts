/**
 * The layout rules (CONTRIBUTING.md § Layout), checked on every source file:
 *
 * 1. Dependencies point one way: simulations → node → protocol, kernels. protocol and kernels import neither node
 *    nor each other; nothing outside simulations (and bench/) imports simulations.
 * 2. Across top-level folders only a folder's `index.ts` is imported: `node/` imports '../../protocol/index.ts',
 *    never '../../protocol/records/x.ts'; simulations/ imports node/index.ts and kernels/index.ts. The one exception
 *    is the bare side-effect import of `node/polyfill.ts` that every entry point makes first.
 *
 * Rule 2 holds in protocol/, kernels/, node/, simulations/ and scripts/. It does not bind test/ (tests mirror the
 * source paths and may reach internals: that is what a unit test is for) nor bench/ (a benchmark may time one
 * internal function, e.g. bench/engine.ts the matmul kernel; benches use index.ts where the names are public, and
 * bench/gossip/site.ts stays narrow because it is precompiled like `aip start`, where node/index.ts's evaluation
 * half cannot load). Importing test fixtures from scripts/ and bench/ is allowed.
 */
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { readdirSync, readFileSync, statSync } from 'node:fs'
import { dirname, join, relative, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'

const ROOT = resolve(fileURLToPath(new URL('..', import.meta.url)))
const FORBIDDEN: Record<string, string[]> = {
  protocol: ['node', 'kernels', 'simulations', 'bench', 'scripts', 'test'],
  kernels: ['node', 'protocol', 'simulations', 'bench', 'scripts', 'test'],
  node: ['simulations', 'bench', 'scripts', 'test'],
  simulations: ['bench', 'scripts', 'test'],
}
/** Folders whose cross-folder imports must go through the target folder's index.ts (rule 2). */
const INDEX_ONLY_FROM = ['protocol', 'kernels', 'node', 'simulations', 'scripts']
/** Folders that have a public surface (an index.ts) and may be imported from another top-level folder. */
const LIBRARIES = ['protocol', 'kernels', 'node', 'simulations']
const POLYFILL = 'node/polyfill.ts'

function sources(dir: string, out: string[] = []): string[] {
  for (const name of readdirSync(dir)) {
    const p = join(dir, name)
    if (statSync(p).isDirectory()) sources(p, out)
    else if (name.endsWith('.ts')) out.push(p)
  }
  return out
}

interface Import { file: string; spec: string; target: string; bare: boolean }

function importsOf(folder: string): Import[] {
  const out: Import[] = []
  for (const file of sources(join(ROOT, folder))) {
    const text = readFileSync(file, 'utf8')
    for (const m of text.matchAll(/(?:\bfrom\s*|\bimport\s*\(?\s*)['"](\.{1,2}\/[^'"]+)['"]/g)) {
      const bare = /^import\s*['"]/.test(m[0])
      out.push({ file: relative(ROOT, file), spec: m[1]!, target: relative(ROOT, resolve(dirname(file), m[1]!)), bare })
    }
  }
  return out
}

test('dependencies point one way: simulations → node → protocol, kernels', () => {
  const violations: string[] = []
  for (const [folder, banned] of Object.entries(FORBIDDEN)) {
    for (const i of importsOf(folder)) {
      if (banned.includes(i.target.split('/')[0]!)) violations.push(`${i.file} imports ${i.spec}`)
    }
  }
  assert.deepEqual(violations, [])
})

test('across top-level folders only index.ts is imported', () => {
  const violations: string[] = []
  for (const folder of INDEX_ONLY_FROM) {
    for (const i of importsOf(folder)) {
      const top = i.target.split('/')[0]!
      if (top === folder || !LIBRARIES.includes(top)) continue
      if (i.target === `${top}/index.ts`) continue
      if (i.bare && i.target === POLYFILL) continue
      violations.push(`${i.file} imports ${i.spec} (use ${top}/index.ts)`)
    }
  }
  assert.deepEqual(violations, [])
})

test('every façade has an importer', () => {
  // A façade no one imports drifts from the code it describes (kernels/index.ts and node/store/index.ts once did).
  const imported = new Set(['protocol', 'kernels', 'node', 'simulations', 'scripts', 'bench', 'test'].flatMap(importsOf).map((i) => i.target))
  const facades = ['protocol', 'kernels', 'node'].flatMap((f) => sources(join(ROOT, f)))
    .map((p) => relative(ROOT, p)).filter((p) => p.endsWith('/index.ts'))
  assert.deepEqual(facades.filter((p) => !imported.has(p)), [])
})
