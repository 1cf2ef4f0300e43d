/**
 * Headless Chromium for the dashboard's tests and bench/ui.ts: Debian's /usr/bin/chromium driven by playwright-core
 * (nothing downloaded by Playwright), with a fresh profile and no background traffic.
 */
import { existsSync } from 'node:fs'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { chromium } from 'playwright-core'
import type { BrowserContext } from 'playwright-core'

export const CHROMIUM = '/usr/bin/chromium'

export function haveChromium(): boolean {
  return existsSync(CHROMIUM)
}

/** A persistent context on a fresh --user-data-dir (Playwright passes the directory itself). */
export async function launchChromium(): Promise<{ context: BrowserContext; close(): Promise<void> }> {
  const profile = await mkdtemp(join(tmpdir(), 'aip-chromium-'))
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
      '--disable-component-update', '--disable-sync'],
  })
  return {
    context,
    async close() {
      await context.close()
      await rm(profile, { recursive: true, force: true })
    },
  }
}
