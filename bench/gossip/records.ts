/** The benchmark's federation (fixed seeds) and its records: genuine ~1 KB BenchmarkResults and forged ones. */
import { recordId } from '../../protocol/index.ts'
import { benchmarkResult, createTestbed, seedOf } from '../../node/net/testbed.ts'
import { keyFromSeed } from '../../node/site/keys.ts'

export interface BenchFederation {
  dirs: string[]
  /** Genuine records signed by site 0, base64. */
  records: string[]
  /** Forged records, base64: half with a broken signature, half signed by an uncertified key. */
  forged: string[]
  forgedIds: string[]
  /** More genuine records by the publisher, base64: `count` of them from sequence number `from` on. */
  more(from: number, count: number): string[]
}

export async function benchFederation(work: string, sites: number, count: number, forged: number): Promise<BenchFederation> {
  const now = Date.now()
  const bed = await createTestbed(work, sites, now, 'bench')
  const publisher = bed.sites[0].key
  const records = Array.from({ length: count }, (_, i) => Buffer.from(benchmarkResult(publisher, i, now).bytes).toString('base64'))
  const outsider = await keyFromSeed(seedOf('bench:outsider'))
  const forgedBytes = Array.from({ length: forged }, (_, i) => {
    if (i % 2 === 1) return benchmarkResult(outsider, 1_000_000 + i, now).bytes
    const b = Uint8Array.from(benchmarkResult(publisher, 1_000_000 + i, now).bytes)
    b[b.length - 1] ^= 0x01 // last byte of the Ed25519 signature
    return b
  })
  return {
    dirs: bed.sites.map((s) => s.dir),
    records,
    forged: forgedBytes.map((b) => Buffer.from(b).toString('base64')),
    forgedIds: forgedBytes.map((b) => recordId(b)),
    more: (from, count) => Array.from({ length: count }, (_, i) => Buffer.from(benchmarkResult(publisher, from + i, now).bytes).toString('base64')),
  }
}
