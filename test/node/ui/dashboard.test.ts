/**
 * The dashboard in a real browser (issue 16): Debian's Chromium via playwright-core against a real running node
 * (startSiteNode, level on disk, real signed records). Login and cookie, every view with real data, a tampered record
 * shown invalid with its reason, the CSRF-protected publish action, strict CSP and nothing fetched from elsewhere,
 * and axe-core on every view.
 */
import '../../../node/polyfill.ts'
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { readFile } from 'node:fs/promises'
import { createRequire } from 'node:module'
import { benchmarkResult } from '../../../node/net/testbed.ts'
import { startDashboard } from './fixture.ts'
import { haveChromium, launchChromium } from './chromium.ts'

/** The page's document, as the callbacks passed to page.evaluate see it (they run in the browser). */
declare const document: { cookie: string; getElementById(id: string): { textContent: string | null } | null }

const SITES = 3
const RESULTS = 30
const axePath = createRequire(import.meta.url).resolve('axe-core/axe.min.js')

test('dashboard: login, views, tampered record, CSRF, CSP, accessibility', { skip: haveChromium() ? false : '/usr/bin/chromium missing (.ci/run installs it)', timeout: 120_000 }, async (t) => {
  const d = await startDashboard(SITES, RESULTS)
  const chrome = await launchChromium()
  try {
    const page = await chrome.context.newPage()
    const origins = new Set<string>()
    page.on('request', (r) => origins.add(new URL(r.url()).origin))
    const errors: string[] = []
    page.on('pageerror', (e) => errors.push(e.message))
    const records = 1 + SITES + RESULTS // charter, certificates, results

    await t.test('the one-time login URL becomes an HttpOnly, SameSite=Strict session cookie', async () => {
      assert.equal((await fetch(`${d.url}/ui/login-token`, { method: 'POST' })).status, 401, 'minting a login token needs the bearer token')
      assert.equal((await fetch(`${d.url}/ui/api/status`, { headers: { authorization: `Bearer ${d.token}` } })).status, 401, 'the dashboard API needs the session, not the bearer token')
      const login = await d.loginUrl()
      const res = await page.goto(login)
      assert.equal(new URL(page.url()).pathname, '/ui/')
      const csp = (await res!.request().redirectedFrom()!.response())!.headers()['content-security-policy'] ?? ''
      assert.match(csp, /script-src 'self'/)
      assert.doesNotMatch(csp, /unsafe-inline|unsafe-eval/)
      const cookie = (await chrome.context.cookies()).find((c) => c.name === 'aip_session')
      assert.ok(cookie !== undefined)
      assert.equal(cookie.httpOnly, true)
      assert.equal(cookie.sameSite, 'Strict')
      assert.equal(cookie.path, '/ui')
      assert.equal((await fetch(login)).status, 401, 'a login URL works once')
      assert.equal(await page.evaluate(() => document.cookie), '', 'the session is not readable by scripts')
    })

    await t.test('federation view: nations, sites with valid certificates, the charter chain, the browser badge', async () => {
      await page.waitForSelector('#verified')
      assert.match(await page.textContent('#verified') ?? '', new RegExp(`Verified in this browser: ${records} of ${records} records valid`))
      const text = await page.textContent('main') ?? ''
      for (const nation of ['CH', 'DE', 'FR']) assert.ok(text.includes(nation), nation)
      assert.equal(await page.locator('table:has(caption:text("Sites")) .badge.ok').count(), SITES)
      assert.equal(await page.locator('table:has(caption:text("Charter chain")) tbody tr').count(), 1)
      assert.ok(text.includes('No trust or audit alerts.'))
    })

    await t.test('results view: sites side by side and an SVG interval plot per suite', async () => {
      await page.click('nav a[href="#results"]')
      await page.waitForSelector('svg.plot')
      assert.equal(await page.locator('article.suite tbody tr').count(), SITES)
      assert.equal(await page.locator('svg.plot circle').count(), SITES * 8, 'a dot per site and category')
      assert.equal(await page.locator('svg.plot line[stroke]').count(), SITES * 8, 'an interval per site and category')
    })

    await t.test('node health view: the status counts', async () => {
      await page.click('nav a[href="#health"]')
      const row = page.locator('table:has(caption:text("Status")) tr:has(td:text-is("records")) td').nth(1)
      assert.equal(await row.textContent(), String(records))
    })

    await t.test('accessibility: axe-core finds no serious or critical violation on any view', async () => {
      // page.evaluate runs through the DevTools protocol, which the page's CSP does not govern (no inline script added)
      await page.evaluate(await readFile(axePath, 'utf8'))
      for (const view of ['federation', 'results', 'health', 'records']) {
        await page.click(`nav a[href="#${view}"]`)
        await page.waitForSelector(`nav a[href="#${view}"][aria-current="page"]`)
        const bad = await page.evaluate(async () => {
          const r = await (globalThis as unknown as { axe: { run(): Promise<{ violations: Array<{ id: string; impact: string }> }> } }).axe.run()
          return r.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical').map((v) => `${v.impact} ${v.id}`)
        })
        assert.deepEqual(bad, [], view)
      }
    })

    await t.test('a tampered record is shown invalid, with its reason', async () => {
      const id = await d.tamper()
      await page.goto(`${d.url}/ui/#records`)
      await page.reload() // the same document with another hash would not load again
      await page.waitForSelector('#verified.bad')
      assert.match(await page.textContent('#verified') ?? '', new RegExp(`${records} of ${records + 1} records valid.*1 invalid`))
      const first = page.locator('table.records tbody tr').first()
      assert.match(await first.textContent() ?? '', /invalid bad_signature/)
      assert.equal(await first.locator('code[title]').getAttribute('title'), id)
    })

    await t.test('publishing is refused without the CSRF token or from another origin, accepted with both', async () => {
      const fresh = benchmarkResult(d.bed.sites[0].key, RESULTS + 7, Date.now() - 5000).bytes
      const refused = await page.evaluate(async (bytes) => {
        const r = await fetch('/ui/api/records', { method: 'POST', body: new Uint8Array(bytes) })
        return { status: r.status, body: await r.json() as { error: string } }
      }, [...fresh])
      assert.deepEqual([refused.status, refused.body.error], [403, 'csrf'])
      const cookie = (await chrome.context.cookies()).find((c) => c.name === 'aip_session')!
      const csrf = await page.evaluate(async () => ((await (await fetch('/ui/api/session')).json()) as { csrf: string }).csrf)
      const foreign = await fetch(`${d.url}/ui/api/records`, { method: 'POST', body: fresh, headers: { cookie: `aip_session=${cookie.value}`, 'x-aip-csrf': csrf, origin: 'http://evil.example' } })
      assert.equal(foreign.status, 403, 'right token, wrong Origin')
      assert.equal(await d.node.store.has((await import('../../../protocol/index.ts')).recordId(fresh)), false)
      // the form: the page sends its CSRF token and the browser its own Origin
      await page.setInputFiles('#envelope', { name: 'result.cose', mimeType: 'application/cose', buffer: Buffer.from(fresh) })
      await page.click('form.publish button')
      await page.waitForFunction(() => document.getElementById('publish-result')?.textContent?.startsWith('accept'))
      await page.waitForFunction((n) => document.getElementById('verified')?.textContent?.includes(`of ${n} records`), records + 2)
      assert.equal(await d.node.store.has((await import('../../../protocol/index.ts')).recordId(fresh)), true)
    })

    assert.deepEqual([...origins], [d.url], 'the page loads nothing from anywhere but the node')
    assert.deepEqual(errors, [])
  } finally {
    await chrome.close()
    await d.stop()
  }
})
