/**
 * `node --import tsx scripts/ui-screenshots.ts`: the README's dashboard screenshots (docs/ui-*.png), taken in headless
 * Chromium against a real node holding a 5-nation federation, 60 results, a provenance chain, two received alignment
 * bundles and one tampered record, with the DE site's node connected (latency, a cosigned audit checkpoint).
 */
import '../node/polyfill.ts'
import { startDashboard } from '../test/node/ui/fixture.ts'
import { launchChromium } from '../test/node/ui/chromium.ts'

const d = await startDashboard(5, 60, { peers: 1 })
const chrome = await launchChromium()
try {
  await d.checkpoint()
  // wait for libp2p's first ping round trip (every 10 s), so the peers table shows a latency
  for (let i = 0; i < 300 && !d.node.network.peers().some((p) => p.rttMs !== undefined); i++) await new Promise((r) => setTimeout(r, 100))
  await d.tamper()
  const page = await chrome.context.newPage()
  await page.setViewportSize({ width: 1100, height: 820 })
  await page.goto(await d.loginUrl())
  await page.waitForSelector('#verified[data-done="true"]', { timeout: 120_000 })
  for (const view of ['federation', 'results', `provenance/${d.ids.result}/${d.ids.model}`, 'alignment', 'audit', 'health', 'records']) {
    const name = view.split('/')[0]!
    await page.evaluate((v) => { (globalThis as unknown as { location: { hash: string } }).location.hash = v }, view)
    await page.waitForSelector(`nav a[href="#${name}"][aria-current="page"]`)
    await page.screenshot({ path: new URL(`../docs/ui-${name}.png`, import.meta.url).pathname })
    console.log(`docs/ui-${name}.png`)
  }
} finally {
  await chrome.close()
  await d.stop()
}
