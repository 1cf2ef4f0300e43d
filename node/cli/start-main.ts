/**
 * `aip start` as one precompiled module: bin/aip.js bundles this file with esbuild (bin/compiled.js) and runs it
 * WITHOUT tsx. A long-running site then carries neither tsx's loader thread (a second V8 isolate, ~33 MB RSS
 * measured here) nor the source of commands it never runs (node/README.md § Memory). Same code as node/cli/main.ts
 * would run for `aip start`: the start command and the shared error conventions.
 */
import '../polyfill.ts'
import start from './commands/start.ts'
import { exitQuietlyOnEpipe, runCommand } from './run.ts'
import { boundHeapGrowth } from '../memory.ts'

boundHeapGrowth() // node/README.md § Memory: a site's heap stays near what is live, also under a flood
exitQuietlyOnEpipe()
process.exitCode = await runCommand('start', start, process.argv.slice(3))
