/**
 * `npm run bench -- gemm`: the TS reference matmul (kernels/matmul.ts) on the shapes the bundled model runs,
 * one core. Goal (issue 3): ≥ 3 GFLOP/s. Last line: one JSON object.
 */
import { matmulT } from '../kernels/matmul.ts'
import { mulberry32 } from '../kernels/random.ts'

const quick = process.argv.includes('--quick')
const rand = mulberry32(1)
const shapes: [string, number, number, number][] = [
  ['square 256', 256, 256, 256],
  ['prefill q_proj (512 tok)', 512, 128, 128],
  ['expert w1 (64 tok)', 64, 256, 128],
  ['expert w2 (64 tok)', 64, 128, 256],
  ['lm_head (512 tok)', 512, 272, 128],
  ['decode expert w1 (1 tok)', 1, 256, 128],
]

function gflops(m: number, n: number, k: number): number {
  const a = Float32Array.from({ length: m * k }, () => rand() - 0.5)
  const b = Float32Array.from({ length: n * k }, () => rand() - 0.5)
  const out = new Float32Array(m * n)
  const reps = Math.max(1, Math.ceil((quick ? 2e8 : 1e9) / (2 * m * n * k)))
  let best = Infinity
  for (let round = 0; round < 3; round++) {
    const t = performance.now()
    for (let r = 0; r < reps; r++) matmulT(out, a, b, m, n, k)
    best = Math.min(best, (performance.now() - t) / 1000)
  }
  return (2 * m * n * k * reps) / best / 1e9
}

const rows = shapes.map(([name, m, n, k]) => ({ name, m, n, k, gflops: gflops(m, n, k) }))
console.log('shape'.padEnd(28) + 'm'.padStart(6) + 'n'.padStart(6) + 'k'.padStart(6) + '  GFLOP/s')
for (const r of rows) console.log(r.name.padEnd(28) + String(r.m).padStart(6) + String(r.n).padStart(6) + String(r.k).padStart(6) + '  ' + r.gflops.toFixed(2))
const square = rows[0]!.gflops
console.log(`goal: ts_gemm_gflops >= 3 (one core): ${square >= 3 ? 'met' : 'NOT met'}`)
console.log(JSON.stringify({ ts_gemm_gflops: Number(square.toFixed(3)), ...Object.fromEntries(rows.map((r) => [`gflops_${r.m}x${r.n}x${r.k}`, Number(r.gflops.toFixed(3))])) }))
