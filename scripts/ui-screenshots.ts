/**
 * `node --import tsx scripts/ui-screenshots.ts`: the README's dashboard screenshots (docs/ui-*.png), taken in headless
 * Chromium against a real node holding a 5-nation federation, 60 results and one tampered record.
 */
import '../node/polyfill.ts'
import { startDashboard } from '../test/node/ui/fixture.ts'
import { launchChromium } from '../test/node/ui/chromium.ts'

const d = await startDashboard(5, 60)
const chrome = await launchChromium()
try {
  await d.tamper()
  const page = await chrome.context.newPage()
  await page.setViewportSize({ width: 1000, height: 760 })
  await page.goto(await d.loginUrl())
  await page.waitForSelector('#verified', { timeout: 120_000 })
  for (const view of ['federation', 'results', 'health', 'records']) {
    await page.click(`nav a[href="#${view}"]`)
    await page.waitForSelector(`nav a[href="#${view}"][aria-current="page"]`)
    await page.screenshot({ path: new URL(`../docs/ui-${view}.png`, import.meta.url).pathname })
    console.log(`docs/ui-${view}.png`)
  }
} finally {
  await chrome.close()
  await d.stop()
}
