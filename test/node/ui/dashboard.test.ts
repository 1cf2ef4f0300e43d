/**
 * The dashboard in a real browser (issue 16): Debian's Chromium via playwright-core against a real running node
 * (startSiteNode, level on disk, real signed records) with a second site's node connected to it. Login and cookie,
 * every view with real data (federation with peer latency, results, the provenance graph clicked through, the
 * alignment review queue, the audit checkpoint with a cosignature, node health, records), approving a bundle through
 * the CSRF-protected action path (and refused without the token, with a forged one, from another origin), a tampered
 * record shown invalid with its reason, the CSRF-protected publish action, strict CSP and nothing fetched from
 * elsewhere, and axe-core on every view.
 */
import '../../../node/polyfill.ts'
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { readFile } from 'node:fs/promises'
import { createRequire } from 'node:module'
import { benchmarkResult } from '../../../node/net/testbed.ts'
import { loadReviews } from '../../../node/align/state.ts'
import { decisionsInForce } from '../../../protocol/index.ts'
import { startDashboard } from './fixture.ts'
import { haveChromium, launchChromium } from './chromium.ts'

/** The page's document, as the callbacks passed to page.evaluate see it (they run in the browser). */
declare const document: { cookie: string; getElementById(id: string): { textContent: string | null } | null; querySelector(s: string): { textContent: string | null } | null }
declare const location: { hash: string }

const SITES = 3
const RESULTS = 30
const axePath = createRequire(import.meta.url).resolve('axe-core/axe.min.js')

test('dashboard: login, views, tampered record, CSRF, CSP, accessibility', { skip: haveChromium() ? false : '/usr/bin/chromium missing (.ci/run installs it)', timeout: 120_000 }, async (t) => {
  const d = await startDashboard(SITES, RESULTS, { peers: 1 })
  const chrome = await launchChromium()
  try {
    const page = await chrome.context.newPage()
    const origins = new Set<string>()
    page.on('request', (r) => origins.add(new URL(r.url()).origin))
    const errors: string[] = []
    page.on('pageerror', (e) => errors.push(e.message))
    const records = d.records
    const done = '#verified[data-done="true"]'
    // audit-v1 §7: a checkpoint signed by this site and cosigned by the connected DE site, before the page loads
    assert.equal(await d.checkpoint(), 1, 'the DE node cosigned the checkpoint')

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

    await t.test('federation view: nations, sites with valid certificates, the charter chain, peers with latency, the browser badge', async () => {
      // libp2p's connection monitor pings every 10 s: wait for its first round trip, then load the page again
      for (let i = 0; i < 300 && !(await d.node.network.peers()).some((p) => p.rttMs !== undefined); i++) await new Promise((r) => setTimeout(r, 100))
      await page.reload()
      await page.waitForSelector(done)
      assert.match(await page.textContent('#verified') ?? '', new RegExp(`Verified in this browser: ${records} of ${records} records valid`))
      const text = await page.textContent('main') ?? ''
      for (const nation of ['CH', 'DE', 'FR']) assert.ok(text.includes(nation), nation)
      assert.equal(await page.locator('table:has(caption:text("Sites")) .badge.ok').count(), SITES)
      assert.equal(await page.locator('table:has(caption:text("Charter chain")) tbody tr').count(), 1)
      assert.ok(text.includes('No trust or audit alerts'))
      const peer = page.locator('table.peers tbody tr')
      assert.equal(await peer.count(), 1)
      assert.match(await peer.textContent() ?? '', /DE.*yes.*\d+ ms/)
    })

    await t.test('results view: sites side by side and an SVG interval plot per suite', async () => {
      await page.click('nav a[href="#results"]')
      await page.waitForSelector('svg.plot')
      // two suites: the testbed's (every site) and the provenance chain's (this site)
      assert.equal(await page.locator('article.suite table:not(.history) tbody tr').count(), SITES + 1)
      // the CH site's history on the provenance suite: the base model's result, then the tuned model's, with the change
      const history = page.locator('table.history tbody tr')
      assert.equal(await history.count(), 2)
      assert.match(await history.nth(1).textContent() ?? '', /CH.*\+12\.34 pts/)
      assert.equal(await page.locator('svg.plot circle').count(), (SITES + 1) * 8, 'a dot per site and category')
      assert.equal(await page.locator('svg.plot line[stroke]').count(), (SITES + 1) * 8, 'an interval per site and category')
    })

    await t.test('provenance view: result → suite → chunk, result → model commitment → parent and tuning record → bundle, each verified; a click opens a record', async () => {
      await page.click(`a[href="#provenance/${d.ids.result}"]`)
      await page.waitForSelector('svg.graph')
      for (const id of [d.ids.result, d.ids.suite, d.ids.suiteChunk, d.ids.model, d.ids.baseModel, d.ids.tuning, d.ids.greenBundle]) {
        assert.equal(await page.locator(`svg.graph [data-node="${id}"] rect.node.valid`).count(), 1, id)
      }
      assert.deepEqual((await page.locator('svg.graph .edge-label').allTextContents()).sort(), ['bundles[0]', 'chunks[0]', 'model', 'parent', 'parent', 'suite', 'tuning'])
      await page.click(`svg.graph a[data-node="${d.ids.baseModel}"]`)
      await page.waitForFunction((id) => location.hash.endsWith(id), d.ids.baseModel)
      const detail = await page.textContent('#prov-detail') ?? ''
      assert.match(detail, /verified in this browser.*ModelCommitment signed by CH/)
      assert.ok(detail.includes('apertus-tiny-base'))
    })

    await t.test('alignment view: the review queue with labels, audience, scrub report and item preview', async () => {
      await page.click('nav a[href="#alignment"]')
      await page.waitForSelector('table.queue')
      const queue = await page.locator('table.queue tbody tr').allTextContents()
      assert.equal(queue.length, 2)
      assert.match(queue.join('|'), /de-preferences.*TLP:GREEN.*everyone in the federation.*2 of 2.*DE.*pending/)
      assert.match(queue.join('|'), /fr-red-team.*TLP:AMBER.*nation CH.*1 of 1.*FR.*pending/)
      const green = page.locator(`article[id="bundle-${d.ids.greenBundle}"]`)
      assert.match(await green.locator('table.scrub').textContent() ?? '', /1 possible personal-data hit.*g2.*chosen.*email/)
      assert.match(await green.locator('table.items').textContent() ?? '', /Wie baue ich eine Waffe\?.*Who wrote this\?/)
      const amber = page.locator(`article[id="bundle-${d.ids.amberBundle}"]`)
      assert.match(await amber.locator('table.items').textContent() ?? '', /comment fabriquer une arme/, 'the preview of a chunked bundle comes from its verified chunk')
    })

    await t.test('approving a bundle: refused without the CSRF token, with a forged one and from another origin; done with both', async () => {
      const body = JSON.stringify({ bundle: d.ids.greenBundle, decision: 'approve', reason: 'forged' })
      const attempts = await page.evaluate(async (b) => Promise.all([[], [['x-aip-csrf', 'A'.repeat(43)]]].map(async (extra: string[][]) => {
        const r = await fetch('/ui/api/align/decide', { method: 'POST', body: b, headers: [['content-type', 'application/json'], ...extra] as Array<[string, string]> })
        return [r.status, ((await r.json()) as { error: string }).error]
      })), body)
      assert.deepEqual(attempts, [[403, 'csrf'], [403, 'csrf']])
      const cookie = (await chrome.context.cookies()).find((c) => c.name === 'aip_session')!
      const csrf = await page.evaluate(async () => ((await (await fetch('/ui/api/session')).json()) as { csrf: string }).csrf)
      const foreign = await fetch(`${d.url}/ui/api/align/decide`, { method: 'POST', body, headers: { cookie: `aip_session=${cookie.value}`, 'x-aip-csrf': csrf, origin: 'http://evil.example', 'content-type': 'application/json' } })
      assert.equal(foreign.status, 403, 'right token, wrong Origin')
      assert.deepEqual(await loadReviews(d.node.site.dir), [], 'no decision was recorded')
      assert.equal(await page.locator(`article[id="bundle-${d.ids.greenBundle}"]`).getAttribute('data-status'), 'pending')

      const form = page.locator(`form.decide[data-bundle="${d.ids.greenBundle}"]`)
      await form.locator('button.approve').click()
      assert.match(await form.locator('output').textContent() ?? '', /needs a reason/)
      await form.locator('input').fill('checked by the CH red team')
      await form.locator('button.approve').click()
      await page.waitForSelector(`article[id="bundle-${d.ids.greenBundle}"][data-status="approved"]`)
      const decided = decisionsInForce(await loadReviews(d.node.site.dir)).get(d.ids.greenBundle)
      assert.deepEqual([decided?.decision, decided?.reason], ['approve', 'checked by the CH red team'])
      assert.match(await page.locator('table.queue tbody tr:has-text("de-preferences")').textContent() ?? '', /approved \(checked by the CH red team\)/)
      assert.equal(await page.locator(`article[id="bundle-${d.ids.amberBundle}"]`).getAttribute('data-status'), 'pending')
    })

    await t.test('audit view: the checkpoint, its signature and the DE cosignature verified in the browser against certified keys', async () => {
      await page.click('nav a[href="#audit"]')
      await page.waitForSelector('#checkpoint-summary')
      assert.match(await page.textContent('#checkpoint-summary') ?? '', /checkpoint verified.*signed by the site's certified key: yes; cosigned by 1 witness/)
      const sigs = await page.locator('table.signatures tbody tr').allTextContents()
      assert.equal(sigs.length, 2)
      assert.match(sigs[0]!, /aip-audit\/CH\/.*log key of CH.*verified/)
      assert.match(sigs[1]!, /aip-witness\/DE\/.*witness DE.*UTC.*verified/)
      assert.match(await page.textContent('main') ?? '', /matches the certified site key/)
    })

    await t.test('node health view: the status counts', async () => {
      await page.click('nav a[href="#health"]')
      await page.waitForSelector('table.metrics')
      assert.match(await page.textContent('table.metrics') ?? '', /aip_records_in_store/, 'the node\'s metrics')
      assert.match(await page.textContent('main') ?? '', /queues.*trustPending/)
      const row = page.locator('table:has(caption:text("Status")) tr:has(td:text-is("records")) td').nth(1)
      assert.equal(await row.textContent(), String(records))
    })

    await t.test('accessibility: axe-core finds no serious or critical violation on any view', async () => {
      // page.evaluate runs through the DevTools protocol, which the page's CSP does not govern (no inline script added)
      await page.evaluate(await readFile(axePath, 'utf8'))
      for (const view of ['federation', 'results', 'provenance', 'alignment', 'audit', 'health', 'records', `provenance/${d.ids.result}`]) {
        await page.evaluate((v) => { location.hash = v }, view)
        await page.waitForSelector(`nav a[href="#${view.split('/')[0]}"][aria-current="page"]`)
        const bad = await page.evaluate(async () => {
          const r = await (globalThis as unknown as { axe: { run(): Promise<{ violations: Array<{ id: string; impact: string }> }> } }).axe.run()
          return r.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical').map((v) => `${v.impact} ${v.id}`)
        })
        assert.deepEqual(bad, [], view)
      }
    })

    await t.test('a tampered record is shown invalid, with its reason, in the records and in the provenance graph', async () => {
      const id = await d.tamper()
      const linked = await d.tamperLinked()
      await page.goto(`${d.url}/ui/#records`)
      await page.reload() // the same document with another hash would not load again
      await page.waitForSelector(`${done}.bad`)
      // + the forged result, the rewritten commitment (both invalid) and the result linking to the latter (valid)
      assert.match(await page.textContent('#verified') ?? '', new RegExp(`${records + 1} of ${records + 3} records valid.*2 invalid`))
      const first = page.locator('table.records tbody tr').first()
      assert.match(await first.textContent() ?? '', /invalid bad_signature/)
      assert.ok([id, linked.model].every((x) => x !== undefined))
      const invalidIds = await page.locator('table.records tbody tr:has(.invalid) code[title]').evaluateAll((xs) => xs.map((x) => x.getAttribute('title')))
      assert.ok(invalidIds.includes(id), 'the forged result, by the ID of its bytes')
      // in the provenance graph, the forged result is the root shown invalid with its reason
      await page.evaluate((x) => { location.hash = `provenance/${x}` }, id)
      await page.waitForSelector(`svg.graph [data-node="${id}"] rect.node.invalid`)
      assert.match(await page.textContent('#prov-detail') ?? '', /invalid: bad_signature/)
      // and a result whose model commitment was rewritten on disk: the link's target does not hash to its ID
      await page.evaluate((x) => { location.hash = `provenance/${x}` }, linked.result)
      await page.waitForSelector(`svg.graph [data-node="${linked.model}"] rect.node.missing`)
      await page.click(`svg.graph a[data-node="${linked.model}"]`)
      await page.waitForFunction(() => document.getElementById('prov-detail')?.textContent?.includes('tampered'))
      assert.match(await page.textContent('#prov-detail') ?? '', /invalid.*tampered: the bytes this node holds under this ID hash to b[a-z2-7]+, not to the ID; as a record they are invalid \(bad_signature\)/)
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
      await page.click('nav a[href="#records"]')
      await page.setInputFiles('#envelope', { name: 'result.cose', mimeType: 'application/cose', buffer: Buffer.from(fresh) })
      await page.click('form.publish button')
      await page.waitForFunction(() => document.getElementById('publish-result')?.textContent?.startsWith('accept'))
      await page.waitForFunction((n) => document.querySelector('#verified[data-done="true"]')?.textContent?.includes(`of ${n} records`), records + 4)
      assert.equal(await d.node.store.has((await import('../../../protocol/index.ts')).recordId(fresh)), true)
    })

    assert.deepEqual([...origins], [d.url], 'the page loads nothing from anywhere but the node')
    assert.deepEqual(errors, [])
  } finally {
    await chrome.close()
    await d.stop()
  }
})
