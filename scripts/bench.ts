/**
 * `npm run bench -- NAME [args]` runs bench/NAME.ts. Each benchmark prints a readable table and, as its
 * last line, one JSON object with the figures its issue names.
 */
import '../node/polyfill.ts'
import { readdirSync } from 'node:fs'

const [name, ...rest] = process.argv.slice(2)
const names = readdirSync(new URL('../bench/', import.meta.url)).filter((f) => f.endsWith('.ts')).map((f) => f.slice(0, -3)).sort()
if (name === undefined || !names.includes(name)) {
  console.error(`usage: npm run bench -- <name> [args]\nbenchmarks: ${names.join(', ') || '(none yet)'}`)
  process.exit(2)
}
process.argv = [process.argv[0]!, process.argv[1]!, ...rest]
await import(new URL(`../bench/${name}.ts`, import.meta.url).href)
