/**
 * `npm run bench -- ui [records] [runs]`: the dashboard (issue 16) in headless Chromium against a real running node
 * holding a 5-nation federation and `records` (default 1,000) BenchmarkResults.
 *   bundle_kb_gzip          the page's JS + CSS, gzip -9 (goal ≤ 250)
 *   first_render_ms         navigation start → federation view rendered, every record it shows (charter, certificates,
 *                           revocations) verified in the browser, median of `runs` page loads (goal ≤ 1,500); the page
 *                           then verifies the other records in slices (node/ui/app/main.ts)
 *   all_verified_ms         navigation start → every record fetched, verified and shown, median (no goal; the old
 *                           meaning of first_render_ms, kept for comparison)
 *   verify_1000_records_ms  the browser's own verification of every envelope, scaled to 1,000 records, median (goal ≤ 2,000)
 *   axe_serious_violations  axe-core serious + critical violations over every view (goal 0)
 * The machine is shared: the load average is printed with the figures.
 */
import '../node/polyfill.ts'
import { readFile } from 'node:fs/promises'
import { createRequire } from 'node:module'
import { loadavg } from 'node:os'
import { gzipSync } from 'node:zlib'
import { APP_CSS, APP_JS } from '../node/ui/bundle.generated.ts'
import { startDashboard } from '../test/node/ui/fixture.ts'
import { launchChromium } from '../test/node/ui/chromium.ts'

/** The page's document, as the callbacks passed to page.evaluate see it (they run in the browser). */
declare const document: { body: { dataset: Record<string, string> } }

const RESULTS = Number(process.argv[2] ?? 1000)
const RUNS = Number(process.argv[3] ?? 3)
const SITES = 5

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]
const bundleKb = gzipSync(Buffer.from(APP_JS + APP_CSS), { level: 9 }).length / 1024

const d = await startDashboard(SITES, RESULTS)
const chrome = await launchChromium()
const renders: number[] = [], verifies: number[] = [], alls: number[] = [], scripts: number[] = [], fetched: number[] = []
let records = 0
let axeBad = 0
try {
  const page = await chrome.context.newPage()
  await page.goto(await d.loginUrl())
  for (let i = 0; i < RUNS; i++) {
    if (i > 0) await page.reload()
    await page.waitForSelector('#verified[data-done="true"]', { timeout: 120_000 })
    const ds = await page.evaluate(() => ({ ...document.body.dataset }))
    records = Number(ds.records)
    renders.push(Number(ds.renderMs))
    alls.push(Number(ds.verifiedMs))
    scripts.push(Number(ds.scriptMs))
    fetched.push(Number(ds.fedFetchedMs))
    verifies.push((Number(ds.verifyMs) * 1000) / records)
  }
  await page.evaluate(await readFile(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8'))
  for (const view of ['federation', 'results', 'provenance', 'alignment', 'audit', 'health', 'records', `provenance/${d.ids.result}`]) {
    await page.evaluate((v) => { (globalThis as unknown as { location: { hash: string } }).location.hash = v }, view)
    await page.waitForSelector(`nav a[href="#${view.split('/')[0]}"][aria-current="page"]`)
    axeBad += await page.evaluate(async () => {
      const r = await (globalThis as unknown as { axe: { run(): Promise<{ violations: Array<{ impact: string }> }> } }).axe.run()
      return r.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical').length
    })
  }
} finally {
  await chrome.close()
  await d.stop()
}

const out = {
  bundle_kb_gzip: Number(bundleKb.toFixed(1)),
  first_render_ms: Math.round(median(renders)),
  all_verified_ms: Math.round(median(alls)),
  verify_1000_records_ms: Math.round(median(verifies)),
  axe_serious_violations: axeBad,
  records,
  runs: RUNS,
  loadavg_1m: Number(loadavg()[0].toFixed(1)),
}
const rows: Array<[string, string, string]> = [
  ['bundle (JS+CSS, gzip)', `${out.bundle_kb_gzip} KB`, '≤ 250 KB'],
  [`first render (${SITES} sites, ${records} records)`, `${out.first_render_ms} ms (runs: ${renders.map(Math.round).join(', ')})`, '≤ 1,500 ms'],
  ['  of which: bundle parsed and running', `${Math.round(median(scripts))} ms`, ''],
  ['  federation records, status, peers fetched', `${Math.round(median(fetched))} ms`, ''],
  ['every record verified and shown', `${out.all_verified_ms} ms (runs: ${alls.map(Math.round).join(', ')})`, ''],
  ['verify 1,000 records in the browser', `${out.verify_1000_records_ms} ms (runs: ${verifies.map(Math.round).join(', ')})`, '≤ 2,000 ms'],
  ['axe serious + critical', String(axeBad), '0'],
  ['load average (1 min, 2 cores)', String(out.loadavg_1m), ''],
]
for (const [k, v, g] of rows) console.log(`${k.padEnd(40)} ${v.padEnd(44)} ${g}`)
console.log(JSON.stringify(out))
