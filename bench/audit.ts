/**
 * `npm run bench -- audit [N]`: the audit log's figures of issue 15, measured in one run on this disk.
 *
 *   append_per_s          durable appends of real inference entries (encoded and checked), 64 in flight
 *   vs_store_put          ÷ the record store's durable put rate, 64 in flight, ~1 KB records (bench/store.ts)
 *   inference_overhead    bundled-model chat decode (ORT, 16 chats × 64 tokens, greedy) with the audit log on ÷ off,
 *                         alternating rounds; entries join the log's group commits and one flush ends the round (the
 *                         `aip bench run` mode). decode_route_overhead: each answer waits for its own durable entry
 *                         (the OpenAI route's mode: one fsync per answer, which this disk makes the whole cost)
 *   inclusion_proof_us    log.inclusionProof on the N-entry log (tiles read from the level database and cached)
 *   consistency_proof_us  log.consistencyProof on the same log
 *   verify_1m_entries_s   `aip audit verify --tiles DIR` (the CLI, a child process) over N = 1,000,000 entries
 *                         exported as tiles: every entry hashed against its tile, every tile against the root
 * The N-entry log is built in a temporary directory from distinct inference entries (one encoded entry with its
 * time field rewritten, to build it fast) and removed at the end. Prints a table, then one JSON object.
 */
import '../node/polyfill.ts'
import { execFile } from 'node:child_process'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createRecord, generateSigningKey, parseRecordId, encodeEntry } from '../protocol/index.ts'
import type { AuditEntry, DecodedRecord } from '../protocol/index.ts'
import { RecordStore, openLocalEngine } from '../node/index.ts'
import { AuditLog } from '../node/audit/log.ts'
import { SiteAudit } from '../node/audit/site-audit.ts'
import { DEFAULT_AUDIT_CONFIG } from '../node/audit/config.ts'
import { exportTiles } from '../node/audit/verify-log.ts'
import { mulberry32 } from '../kernels/random.ts'

const N = Number(process.argv[2] ?? 1_000_000)
const PUTS = 3000
const tmp = await mkdtemp(join(tmpdir(), 'aip-bench-audit-'))
const key = generateSigningKey(new Uint8Array(32).fill(1))
const T0 = 1_767_225_600_000
const sha = (i: number) => new Uint8Array(32).fill(i & 0xff)
const inference = (i: number): AuditEntry => ({
  kind: 'inference', time: T0 + i, 'gen_ai.operation.name': 'chat', 'gen_ai.request.model': 'aip-moe-tiny', 'gen_ai.usage.input_tokens': 40 + (i % 50),
  'gen_ai.usage.output_tokens': 64, 'gen_ai.response.finish_reasons': ['length'], 'aip.model.weights_root': sha(7), 'aip.caller': 'local:openai-route',
  'aip.prompt.sha256': sha(i), 'aip.output.sha256': sha(i + 1),
})
const rate = async (n: number, inFlight: number, op: (i: number) => Promise<unknown>) => {
  let next = 0
  const t0 = performance.now()
  await Promise.all(Array.from({ length: inFlight }, async () => { while (next < n) await op(next++) }))
  return n / ((performance.now() - t0) / 1000)
}

// 1. durable put rates, same run
const target = parseRecordId('bafkreigh2akiscaildcqabsyg3dfr6chu3fgpregiymsck7e7aqa4s52zy')
const records: DecodedRecord[] = Array.from({ length: PUTS }, (_, i) => createRecord('Retraction', { target, reason: 'x'.repeat(900) }, key, 1e12 + i))
const store = await RecordStore.open(join(tmp, 'store'))
const storePerS = await rate(PUTS, 64, (i) => store.put(records[i]!))
await store.close()
// like the store's records (created and signed before the clock starts), entries are encoded first; the rate with
// encoding in the loop is reported too
const encoded = Array.from({ length: PUTS }, (_, i) => encodeEntry(inference(i)))
const log = await AuditLog.open(join(tmp, 'append'))
const appendPerS = await rate(PUTS, 64, (i) => log.appendEncoded(encoded[i]!, T0))
const appendEncodePerS = await rate(PUTS, 64, (i) => log.append(inference(PUTS + i)))
await log.close()

// 2. inference overhead: the bundled model, chat decode with and without the log (durable per answer)
const { engine, commitment } = await openLocalEngine(undefined, 'ort')
const site = await SiteAudit.open({ dir: join(tmp, 'site'), nation: 'CH', key }, { config: { ...DEFAULT_AUDIT_CONFIG } })
const prompts = Array.from({ length: 16 }, (_, i) => `Question ${i}: how do I keep my data in my own country?`)
/** One round of chats; `eachCall`: every answer waits for its entry (the route), else one flush at the round's end. */
const decode = async (on: boolean, eachCall: boolean) => {
  engine.audit = on ? { weightsRoot: commitment.weights_root, eachCall, log: (e) => site.logInference(e) } : undefined
  const t0 = performance.now()
  for (const p of prompts) await engine.chat(p, 64)
  await engine.flushAudit()
  return performance.now() - t0
}
await decode(false, false) // warm-up
/** Pairs of rounds, off and on in alternating order; the median of the per-pair ratios resists the shared machine's noise. */
const pairs = async (n: number, eachCall: boolean) => {
  const ratios: number[] = []
  let offMs = 0
  let onMs = 0
  for (let r = 0; r < n; r++) {
    let offR: number
    let onR: number
    if (r % 2 === 0) { offR = await decode(false, eachCall); onR = await decode(true, eachCall) } else { onR = await decode(true, eachCall); offR = await decode(false, eachCall) }
    offMs += offR
    onMs += onR
    ratios.push(onR / offR)
  }
  ratios.sort((x, y) => x - y)
  return { off: offMs / n, on: onMs / n, ratio: ratios[Math.floor(n / 2)]! }
}
const ROUNDS = 10
const batch = await pairs(ROUNDS, false)
const each = await pairs(6, true)
engine.audit = undefined
await engine.close()

// 3. the N-entry log: built, proofs timed, exported, verified by the CLI
const template = encodeEntry(inference(0))
const timeAt = Buffer.from(template).indexOf(Buffer.from([0x1b, 0, 0, 0x01, 0x9b, 0x76, 0xda, 0xa8, 0x00])) + 1
if (timeAt <= 0) throw new Error('time field not found in the template entry')
const entryAt = (i: number) => {
  const b = Uint8Array.from(template)
  Buffer.from(b.buffer).writeBigUInt64BE(BigInt(T0 + i), timeAt)
  return b
}
const big = site.log
let t0 = performance.now()
for (let i = 0; i < N; i += 16_384) {
  const n = Math.min(16_384, N - i)
  await Promise.all(Array.from({ length: n }, (_, j) => big.appendEncoded(entryAt(i + j), T0)))
}
const buildS = (performance.now() - t0) / 1000
const rand = mulberry32(15)
const pick = (n: number) => Math.floor(rand() * n)
t0 = performance.now()
const PROOFS = 500
for (let k = 0; k < PROOFS; k++) {
  const size = 1 + pick(N)
  await big.inclusionProof(pick(size), size)
}
const inclusionUs = ((performance.now() - t0) * 1000) / PROOFS
t0 = performance.now()
for (let k = 0; k < PROOFS; k++) {
  const size = 1 + pick(N)
  await big.consistencyProof(pick(size + 1), size)
}
const consistencyUs = ((performance.now() - t0) * 1000) / PROOFS
t0 = performance.now()
const tiles = join(tmp, 'tiles')
await exportTiles(site, tiles)
const exportS = (performance.now() - t0) / 1000
const vkey = site.verifierKey
const total = big.size // N plus the inference entries of step 2
await site.close()
const AIP = new URL('../bin/aip.js', import.meta.url).pathname
t0 = performance.now()
const verified = await new Promise<{ ok: boolean; entriesVerified: number }>((resolve, reject) => {
  execFile(process.execPath, [AIP, 'audit', 'verify', '--tiles', tiles, '--key', vkey, '--json'], { maxBuffer: 1 << 20 }, (err, stdout, stderr) => {
    if (err) reject(new Error(`${err.message}\n${stdout}\n${stderr}`))
    else resolve(JSON.parse(stdout) as { ok: boolean; entriesVerified: number })
  })
})
const verifyS = (performance.now() - t0) / 1000
if (!verified.ok || verified.entriesVerified !== total) throw new Error(`verify: ${JSON.stringify(verified)}`)
await rm(tmp, { recursive: true, force: true })

const rows: [string, string][] = [
  ['record store put, 64 in flight (durable)', `${storePerS.toFixed(0)} /s`],
  ['audit append, 64 in flight (durable)', `${appendPerS.toFixed(0)} /s  (${(appendPerS / storePerS).toFixed(2)} × store)`],
  ['audit append incl. encoding each entry', `${appendEncodePerS.toFixed(0)} /s`],
  ['chat decode, 16 × 64 tokens, audit off / on', `${batch.off.toFixed(0)} / ${batch.on.toFixed(0)} ms per round  (median ratio ${batch.ratio.toFixed(3)})`],
  ['  … each answer waiting for its durable entry', `${each.off.toFixed(0)} / ${each.on.toFixed(0)} ms per round  (median ratio ${each.ratio.toFixed(3)})`],
  [`build a ${N.toLocaleString('en')}-entry log (16,384 per turn)`, `${buildS.toFixed(1)} s  (${(N / buildS).toFixed(0)} /s)`],
  ['inclusion proof (random index and size)', `${inclusionUs.toFixed(0)} µs`],
  ['consistency proof (random sizes)', `${consistencyUs.toFixed(0)} µs`],
  ['export tiles + bundles', `${exportS.toFixed(1)} s`],
  [`aip audit verify (CLI), ${N.toLocaleString('en')} entries`, `${verifyS.toFixed(1)} s`],
]
for (const [k, v] of rows) console.log(`${k.padEnd(48)} ${v}`)
console.log(JSON.stringify({
  bench: 'audit', entries: N, append_per_s: Math.round(appendPerS), store_put_per_s: Math.round(storePerS), vs_store_put: Number((appendPerS / storePerS).toFixed(2)),
  append_with_encoding_per_s: Math.round(appendEncodePerS), decode_route_overhead: Number(each.ratio.toFixed(3)),
  inference_overhead: Number(batch.ratio.toFixed(3)), inclusion_proof_us: Math.round(inclusionUs), consistency_proof_us: Math.round(consistencyUs),
  build_per_s: Math.round(N / buildS), export_s: Number(exportS.toFixed(1)), verify_1m_entries_s: Number(verifyS.toFixed(1)),
}))
