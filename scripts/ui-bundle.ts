/**
 * Builds the dashboard's (node/ui) browser bundle with esbuild: node/ui/app/main.ts plus protocol/ (pure) with node:crypto,
 * sodium-native and Buffer replaced by browser shims (app/shims). `scripts/build-ui.ts` writes the result into
 * bundle.generated.ts, which the node serves (committed, so `aip start` needs no build step and no file path);
 * test/node/ui/bundle.test.ts fails when the committed bundle is stale.
 */
import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { build } from 'esbuild'
import type { Plugin } from 'esbuild'

export interface UiBundle {
  js: string
  css: string
}

/** Builds from the repository at `root` (the folder holding node/ and protocol/). */
export async function buildUiBundle(root: string): Promise<UiBundle> {
  const shims = join(root, 'node/ui/app/shims')
  const browserShims: Plugin = {
    name: 'aip-browser-shims',
    setup(b) {
      b.onResolve({ filter: /^(node:)?crypto$/ }, () => ({ path: join(shims, 'crypto.ts') }))
      b.onResolve({ filter: /^sodium-native$/ }, () => ({ path: join(shims, 'empty.ts') }))
    },
  }
  const out = await build({
    entryPoints: [join(root, 'node/ui/app/main.ts')],
    bundle: true,
    format: 'esm',
    platform: 'browser',
    target: 'es2022',
    minify: true,
    write: false,
    legalComments: 'none',
    inject: [join(shims, 'buffer.ts')],
    plugins: [browserShims],
    logLevel: 'silent',
  })
  const js = out.outputFiles[0]!.text
  const css = await readFile(join(root, 'node/ui/app/app.css'), 'utf8')
  return { js, css }
}
