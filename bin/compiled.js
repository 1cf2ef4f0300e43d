// Precompiles one TypeScript entry point and everything it imports from this repository into a single ES module,
// with esbuild (the compiler tsx itself uses), so a long-running process needs no TypeScript loader at run time.
// Packages stay external: node resolves them from the repository's node_modules as usual. The output lives in
// node_modules/.cache/aip/ and is rebuilt on every call (about 0.2 s), so it can never be stale.
import { mkdirSync, renameSync } from 'node:fs'
import { fileURLToPath, pathToFileURL } from 'node:url'
import { build } from 'esbuild'

const ROOT = fileURLToPath(new URL('..', import.meta.url))

/**
 * @param {string} entry path of the entry point, relative to the repository root (e.g. 'node/cli/start-main.ts')
 * @param {string} name output name (node_modules/.cache/aip/NAME.mjs)
 * @returns {Promise<string>} file URL of the compiled module
 */
export async function compiled(entry, name) {
  const dir = `${ROOT}node_modules/.cache/aip`
  mkdirSync(dir, { recursive: true })
  const out = `${dir}/${name}.mjs`
  const tmp = `${out}.${process.pid}.tmp`
  await build({
    entryPoints: [`${ROOT}${entry}`], outfile: tmp, bundle: true, platform: 'node', format: 'esm', target: 'node20',
    packages: 'external', logLevel: 'error', legalComments: 'none',
    // import.meta.url of a bundled file would be the bundle's; refuse rather than resolve paths wrongly.
    // process.env.AIP_PRECOMPILED lets the code say how it runs (aip start logs it).
    define: { 'import.meta.url': '"aip:compiled-bundle-has-no-module-url"', 'process.env.AIP_PRECOMPILED': '"1"' },
  })
  renameSync(tmp, out) // atomic: concurrent starts each write their own tmp file
  return pathToFileURL(out).href
}
