/**
 * `npm run fuzz -- [--inputs N] [--target NAME] [--seed S] [--json]`: runs the fuzz targets of test/fuzz/ (issue 11
 * item 5) and prints one line per target, then the failures with their inputs. Exits 1 when any input failed.
 * N is the total over the chosen targets (default 1,000,000), shared by test/fuzz/targets/index.ts WEIGHTS.
 */
import '../node/polyfill.ts'
import { parseArgs } from 'node:util'
import { runFuzz } from '../test/fuzz/run.ts'

const { values } = parseArgs({
  options: { inputs: { type: 'string', default: '1000000' }, target: { type: 'string', multiple: true }, seed: { type: 'string', default: '1' }, json: { type: 'boolean', default: false } },
})
const inputs = Number(values.inputs)
const seed = Number(values.seed)
if (!Number.isSafeInteger(inputs) || inputs < 1 || !Number.isSafeInteger(seed)) {
  console.error('usage: npm run fuzz -- [--inputs N] [--target NAME ...] [--seed S] [--json]')
  process.exit(2)
}
const run = await runFuzz(inputs, seed, values.target, (line) => console.log(line))
if (values.json) console.log(JSON.stringify(run))
process.exit(run.failures === 0 ? 0 : 1)
