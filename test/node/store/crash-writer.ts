/**
 * Child process for crash.test.ts: writes real signed records (BenchmarkResults across 3 suites × 2 models, and
 * Retractions; 5 signers) to the store at argv[2] forever, 16 puts in flight (so batches group-commit), tombstoning
 * every 10th record after it is stored. Reports on stdout, one line per durable event: `stored ID` once put
 * resolved, `tomb ID` once addTombstone resolved. The parent SIGKILLs it mid-stream.
 */
import { createRecord, generateSigningKey, parseRecordId } from '../../../protocol/index.ts'
import { RecordStore } from '../../../node/store/store.ts'
import { benchmarkResult, someId } from '../fixtures.ts'

const store = await RecordStore.open(process.argv[2])
const round = Number(process.argv[3] ?? 0)
const keys = [1, 2, 3, 4, 5].map((i) => generateSigningKey(new Uint8Array(32).fill(i)))
const suites = ['s1', 's2', 's3'].map(someId)
const models = ['m1', 'm2'].map(someId)
let n = 0
const out = (line: string) => process.stdout.write(line + '\n')

async function writer(): Promise<void> {
  while (true) {
    const i = n++
    const key = keys[i % 5]
    const created = 1_700_000_000_000 + round * 1_000_000 + i
    const r = i % 3 === 0
      ? createRecord('Retraction', { target: parseRecordId(suites[0]), reason: `r${i}` }, key, created)
      : benchmarkResult(key, created, suites[i % 3], models[i % 2], i)
    if ((await store.put(r)) === 'stored') out(`stored ${r.id}`)
    if (i % 10 === 0) {
      await store.addTombstone(r.id, 'retracted')
      out(`tomb ${r.id}`)
    }
  }
}
out('ready')
await Promise.all(Array.from({ length: 16 }, writer))
