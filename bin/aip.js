#!/usr/bin/env node
// The `aip` command. The project runs its TypeScript sources directly through tsx (no build step), except for
// `aip start`, the long-running site node: it is precompiled on each start (bin/compiled.js, ~0.2 s) and runs
// without tsx, which saves the loader thread's memory for the life of the node (node/README.md § Memory).
let precompiled
if (process.argv[2] === 'start') {
  const { compiled } = await import('./compiled.js')
  try {
    precompiled = await compiled('node/cli/start-main.ts', 'aip-start')
  } catch (err) {
    // e.g. a read-only install: run from source as every other command does
    console.error(`aip start: cannot precompile (${err.message.split('\n')[0]}); running through tsx`)
  }
}
if (precompiled !== undefined) {
  await import(precompiled)
} else {
  const { register } = await import('tsx/esm/api')
  register()
  await import(process.argv[2] === 'start' ? '../node/cli/start-main.ts' : '../node/cli/main.ts')
}
