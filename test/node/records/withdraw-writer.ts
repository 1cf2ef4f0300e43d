/**
 * Child process for withdrawals.test.ts (fault 9): admits, through the door, BenchmarkResults and then Retractions of
 * them, 16 in flight so batches group-commit, forever. Prints `ready`, then `retracted ID` as each Retraction is
 * admitted. The parent SIGKILLs it mid-stream and checks that no stored Retraction outlived its target's tombstone.
 */
import '../../../node/polyfill.ts'
import { createRecord, devFederation, generateSigningKey, parseRecordId } from '../../../protocol/index.ts'
import { benchmarkResult } from '../../../node/net/testbed.ts'
import { RecordDoor } from '../../../node/records/index.ts'
import { RecordStore } from '../../../node/store/store.ts'

export const T0 = 1_800_000_000_000
export const ROOT = generateSigningKey(new Uint8Array(32).fill(41))
export const SITE = generateSigningKey(new Uint8Array(32).fill(42))
export const FED = devFederation({ nation: 'CH', rootKey: ROOT, siteKey: SITE, created: T0 })

if (process.argv[2] !== undefined) {
  const store = await RecordStore.open(process.argv[2])
  const round = Number(process.argv[3] ?? 0)
  const door = await RecordDoor.open(store, FED.charter.id, { now: () => T0 + 10_000_000 })
  for (const r of [FED.charter, FED.certificate]) await door.admit(r.bytes, { via: 'import' })
  let n = 0
  const out = (line: string): boolean => process.stdout.write(line + '\n')
  const writer = async (k: number): Promise<void> => {
    // out of step: each batch then holds targets, Retractions and withdrawals of different writers at once
    for (let j = 0; j < k % 3; j++) await door.admit(benchmarkResult(SITE, round * 1_000_000 + 900_000 + k * 10 + j, T0 + 500).bytes, { via: 'local' })
    while (true) {
      const i = round * 1_000_000 + n++
      const target = benchmarkResult(SITE, i, T0 + 1000 + i)
      await door.admit(target.bytes, { via: 'local' })
      const retraction = createRecord('Retraction', { target: parseRecordId(target.id), reason: `r${i}` }, SITE, T0 + 2000 + i)
      const o = await door.admit(retraction.bytes, { via: 'local' })
      if (o.action === 'accept') out(`retracted ${target.id}`)
    }
  }
  out('ready')
  await Promise.all(Array.from({ length: 16 }, (_, k) => writer(k)))
}
