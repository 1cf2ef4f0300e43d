/**
 * `npm run bench -- gemm`: the TS reference matmul (kernels/matmul.ts) on the shapes the bundled model runs,
 * one core. Goal (issue 3): ≥ 3 GFLOP/s. Last line: one JSON object.
 * Two rates per shape: per wall-clock second, and per second of this process's CPU time (process.cpuUsage) — the
 * second is what one core does, and stays meaningful when the machine is shared (wall time then counts waiting).
 * ts_gemm_gflops is the CPU-time rate on 256×256×256.
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

function gflops(m: number, n: number, k: number): { wall: number; cpu: number } {
  const a = Float32Array.from({ length: m * k }, () => rand() - 0.5)
  const b = Float32Array.from({ length: n * k }, () => rand() - 0.5)
  const out = new Float32Array(m * n)
  const reps = Math.max(1, Math.ceil((quick ? 2e8 : 1e9) / (2 * m * n * k)))
  let wall = Infinity
  let cpu = Infinity
  for (let round = 0; round < 3; round++) {
    const t = performance.now()
    const c = process.cpuUsage()
    for (let r = 0; r < reps; r++) matmulT(out, a, b, m, n, k)
    const used = process.cpuUsage(c)
    wall = Math.min(wall, (performance.now() - t) / 1000)
    cpu = Math.min(cpu, (used.user + used.system) / 1e6)
  }
  const flop = 2 * m * n * k * reps
  return { wall: flop / wall / 1e9, cpu: flop / cpu / 1e9 }
}

const rows = shapes.map(([name, m, n, k]) => ({ name, m, n, k, ...gflops(m, n, k) }))
console.log('shape'.padEnd(28) + 'm'.padStart(6) + 'n'.padStart(6) + 'k'.padStart(6) + '  GFLOP/s (CPU time)  GFLOP/s (wall)')
for (const r of rows) {
  console.log(r.name.padEnd(28) + String(r.m).padStart(6) + String(r.n).padStart(6) + String(r.k).padStart(6) + r.cpu.toFixed(2).padStart(20) + r.wall.toFixed(2).padStart(16))
}
const square = rows[0]!
console.log(`goal: ts_gemm_gflops >= 3 (one core): ${square.cpu >= 3 ? 'met' : 'NOT met'}`)
const r3 = (x: number) => Number(x.toFixed(3))
console.log(
  JSON.stringify({
    ts_gemm_gflops: r3(square.cpu),
    ts_gemm_gflops_wall: r3(square.wall),
    ...Object.fromEntries(rows.map((r) => [`gflops_cpu_${r.m}x${r.n}x${r.k}`, r3(r.cpu)])),
  }),
)
