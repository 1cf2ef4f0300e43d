/**
 * Child process for crash.test.ts: writes records to the store at argv[2] forever, 16 puts in flight (so batches
 * group-commit), tombstoning every 10th record after it is stored. Reports on stdout, one line per durable event:
 * `stored ID` once put resolved, `tomb ID` once addTombstone resolved. The parent SIGKILLs it mid-stream.
 */
import { createHash } from 'node:crypto'
import { CID } from 'multiformats/cid'
import * as Digest from 'multiformats/hashes/digest'
import { RecordStore } from '../../../node/store/store.ts'

const store = await RecordStore.open(process.argv[2])
const seed = Number(process.argv[3] ?? 0)
let n = 0
const out = (line: string) => process.stdout.write(line + '\n')

async function writer(): Promise<void> {
  while (true) {
    const i = n++
    const bytes = new Uint8Array(600).fill(i & 0xff)
    new DataView(bytes.buffer).setUint32(0, i)
    new DataView(bytes.buffer).setUint32(4, seed)
    const id = CID.createV1(0x55, Digest.create(0x12, createHash('sha256').update(bytes).digest())).toString()
    const type = i % 3 === 0 ? 'SiteCertificate' : 'BenchmarkResult'
    const r = await store.put({ id, bytes, type, signer: new Uint8Array(32).fill(i % 5), created: 1_700_000_000_000 + (i % 97), body: {} })
    if (r === 'stored') out(`stored ${id}`)
    if (i % 10 === 0) {
      await store.addTombstone(id, 'retracted')
      out(`tomb ${id}`)
    }
  }
}
out('ready')
await Promise.all(Array.from({ length: 16 }, writer))
