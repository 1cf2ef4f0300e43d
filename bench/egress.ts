/**
 * `npm run bench -- egress`: cost of egress accounting (node/net/egress) on the bundled model's weight file.
 * Index build time and size, then the scanner's throughput over 32 MB of record-like plaintext (no weights: the
 * common case) and over plaintext that is half weight slices at random shifts, compared in the same run with a plain
 * pass that only counts bytes (what the tap costs without detection). Last line: one JSON object.
 */
import { ensureBundledModel } from '../kernels/index.ts'
import { EgressScanner, loadWeightFiles, WeightIndex } from '../node/net/egress/index.ts'
import { Rng } from '../simulations/rng.ts'

const TOTAL = 32 * 1024 * 1024
const CHUNK = 16 * 1024

const files = await loadWeightFiles(await ensureBundledModel())
const t0 = performance.now()
const index = new WeightIndex(files)
const buildMs = performance.now() - t0
const rng = new Rng(1)

// Record-like traffic: CBOR-ish text and random 32-byte hashes.
const clean = new Uint8Array(TOTAL)
for (let i = 0; i < TOTAL; i += 64) {
  if (rng.int(2) === 0) clean.set(rng.bytes(32), i)
  else clean.set(new TextEncoder().encode(`{"overall_ppm":${rng.int(1e6)},"category":"c${rng.int(99)}"}`.slice(0, 64)), i)
}
// Half of it weight slices (1–8 KB) at random offsets and shifts.
const dirty = clean.slice()
const w = files[0].bytes
let planted = 0
for (let at = rng.int(100); at < TOTAL - 9000; at += 16_384 + rng.int(100)) {
  const len = 1024 + rng.int(7 * 1024)
  const from = rng.int(w.length - len)
  dirty.set(w.subarray(from, from + len), at)
  planted += len
}

function scan(data: Uint8Array): { ms: number; found: number } {
  const s = new EgressScanner(index)
  let found = 0
  const t = performance.now()
  for (let i = 0; i < data.length; i += CHUNK) for (const h of s.push(data.subarray(i, i + CHUNK))) found += h.length
  return { ms: performance.now() - t, found }
}
function count(data: Uint8Array): number {
  const t = performance.now()
  let n = 0
  for (let i = 0; i < data.length; i += CHUNK) n += data.subarray(i, i + CHUNK).byteLength
  if (n !== data.length) throw new Error('miscounted')
  return performance.now() - t
}

const c = scan(clean)
const d = scan(dirty)
const countMs = count(clean)
const mbps = (ms: number): number => +(TOTAL / 1e6 / (ms / 1000)).toFixed(1)
const rows = [
  ['weight bytes indexed', String(index.bytes)], ['windows indexed', `${index.indexed} (stride ${index.stride})`],
  ['index build', `${buildMs.toFixed(0)} ms`], ['scan, clean traffic', `${mbps(c.ms)} MB/s, found ${c.found} B`],
  ['scan, half weights', `${mbps(d.ms)} MB/s, found ${d.found} of ${planted} B planted`], ['count only', `${mbps(countMs)} MB/s`],
]
for (const [k, v] of rows) console.log(`${k.padEnd(24)} ${v}`)
console.log(JSON.stringify({
  weight_bytes: index.bytes, windows_indexed: index.indexed, stride: index.stride, index_build_ms: Math.round(buildMs),
  scan_clean_mb_s: mbps(c.ms), scan_dirty_mb_s: mbps(d.ms), false_positive_bytes: c.found, planted_bytes: planted, found_bytes: d.found,
  rss_mb: Math.round(process.memoryUsage().rss / 1e6),
}))
