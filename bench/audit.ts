/**
 * `npm run bench -- audit [N]`: the audit log's figures of issue 15, measured in one run on this disk.
 *
 *   append_per_s          durable appends of real inference entries (encoded and checked), 64 in flight
 *   vs_store_put          ÷ the record store's durable put rate, 64 in flight, ~1 KB records (bench/store.ts)
 *   inference_overhead    bundled-model chat decode (ORT, greedy) with the audit log on ÷ off: 30 pairs of one chat
 *                         of 256 tokens (prompts the model answers to the limit), both of a pair on the same prompt,
 *                         off and on first in turn (so the shared machine's load drifts little inside a pair); the
 *                         median of the per-pair wall-time ratios, its 95 % interval (order statistics), and the same
 *                         for this process's CPU time (user + system, every thread), which other processes' load
 *                         disturbs less. Entries join the log's group commits in the background and the one flush
 *                         at the end is charged to the on-blocks (the `aip bench run` mode).
 *                         inference_overhead_attributed: (median chat without the log + one durable append with
 *                         encoding, 64 in flight) ÷ median chat, both measured in this run — the ratio without the
 *                         load drifting between the halves of a pair.
 *                         decode_route_overhead: each answer waits for its own durable entry (the OpenAI route's
 *                         mode: one fsync per answer, which this disk makes the whole cost)
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
// prompts on which the bundled model answers up to the token limit (most prompts end after a few tokens, and the
// fixed per-inference cost would then be measured against a prefill alone)
const prompts = ['d', '2 3', 'j', 'Hello', 'z', 'y']
const BLOCK = 1 // chats per block: short blocks, alternated, so the machine's load drifts little within a pair
const TOKENS = 256 // the per-inference cost is fixed; long answers make it the share of a realistic call
/**
 * One block of chats from prompt `start` on (both blocks of a pair answer the same prompts, so the same tokens);
 * `eachCall`: every answer waits for its durable entry (the route), else entries join the log's group commits in the
 * background (`aip bench run`) and one flush after all pairs is charged to the on-blocks (pairs()). Returns wall ms
 * and this process's CPU ms (user + system, every thread: ORT's, the log's writes').
 */
const decode = async (on: boolean, eachCall: boolean, start: number) => {
  engine.audit = on ? { weightsRoot: commitment.weights_root, eachCall, log: (e) => site.logInference(e) } : undefined
  const c0 = process.cpuUsage()
  const t0 = performance.now()
  for (let i = 0; i < BLOCK; i++) await engine.chat(prompts[(start + i) % prompts.length]!, TOKENS)
  const wall = performance.now() - t0
  const c = process.cpuUsage(c0)
  return { wall, cpu: (c.user + c.system) / 1000 }
}
for (let i = 0; i < 2; i++) await decode(false, false, 0) // warm-up
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!
/** The order-statistics 95 % interval of a median of n pair ratios (binomial, normal approximation). */
const medianCi = (xs: number[]): [number, number] => {
  const s = [...xs].sort((a, b) => a - b)
  const h = Math.ceil(1.96 * Math.sqrt(s.length) / 2)
  const mid = Math.floor(s.length / 2)
  return [s[Math.max(0, mid - h)]!, s[Math.min(s.length - 1, mid + h)]!]
}
/** Pairs of blocks, off and on in alternating order; medians of the per-pair ratios resist the shared machine's noise. */
const pairs = async (n: number, eachCall: boolean) => {
  const wall: number[] = []
  const cpu: number[] = []
  let offMs = 0
  let onMs = 0
  const runs: { off: { wall: number; cpu: number }; on: { wall: number; cpu: number } }[] = []
  for (let r = 0; r < n; r++) {
    const [first, second] = r % 2 === 0 ? [false, true] : [true, false]
    const a = await decode(first, eachCall, r * BLOCK)
    const b = await decode(second, eachCall, r * BLOCK)
    runs.push(first ? { off: b, on: a } : { off: a, on: b })
  }
  // the background group commits' last wait, charged in equal parts to the on-blocks
  const c0 = process.cpuUsage()
  const t0 = performance.now()
  await engine.flushAudit()
  const flushWall = (performance.now() - t0) / n
  const fc = process.cpuUsage(c0)
  const flushCpu = (fc.user + fc.system) / 1000 / n
  for (const { off, on } of runs) {
    offMs += off.wall
    onMs += on.wall + flushWall
    wall.push((on.wall + flushWall) / off.wall)
    cpu.push((on.cpu + flushCpu) / off.cpu)
  }
  return { off: offMs / n, on: onMs / n, offMedian: median(runs.map((x) => x.off.wall)), ratio: median(wall), ci: medianCi(wall), cpu: median(cpu), cpuCi: medianCi(cpu), n }
}
const batch = await pairs(40, false)
const each = await pairs(10, true)
// the same figure from its two parts, each measured alone in this run: one durable append of an inference entry
// (encoding included, 64 in flight) against one 256-token chat without the log — what the ratio is when the machine's
// load does not move between the two halves of a pair
const offChatMs = batch.offMedian / BLOCK
const attributed = (offChatMs + 1000 / appendEncodePerS) / offChatMs
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
  [`chat decode, ${batch.n} pairs of ${BLOCK} × ${TOKENS} tokens, off / on`, `${batch.off.toFixed(0)} / ${batch.on.toFixed(0)} ms per block  (median wall ratio ${batch.ratio.toFixed(3)}, 95 % ${batch.ci.map((x) => x.toFixed(3)).join('–')}; CPU ${batch.cpu.toFixed(3)}, ${batch.cpuCi.map((x) => x.toFixed(3)).join('–')})`],
  ['  … attributed: (chat + one append) ÷ chat', `${offChatMs.toFixed(0)} ms + ${(1000 / appendEncodePerS).toFixed(2)} ms  (${attributed.toFixed(4)})`],
  [`  … each answer waiting for its durable entry`, `${each.off.toFixed(0)} / ${each.on.toFixed(0)} ms per block  (median wall ratio ${each.ratio.toFixed(3)}, 95 % ${each.ci.map((x) => x.toFixed(3)).join('–')}; CPU ${each.cpu.toFixed(3)})`],
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
  inference_overhead: Number(batch.ratio.toFixed(3)), inference_overhead_ci95: batch.ci.map((x) => Number(x.toFixed(3))),
  inference_overhead_attributed: Number(attributed.toFixed(4)), inference_overhead_cpu: Number(batch.cpu.toFixed(3)), inference_overhead_cpu_ci95: batch.cpuCi.map((x) => Number(x.toFixed(3))), inference_pairs: batch.n, inclusion_proof_us: Math.round(inclusionUs), consistency_proof_us: Math.round(consistencyUs),
  build_per_s: Math.round(N / buildS), export_s: Number(exportS.toFixed(1)), verify_1m_entries_s: Number(verifyS.toFixed(1)),
}))
