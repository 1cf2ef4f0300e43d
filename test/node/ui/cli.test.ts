/** `aip ui --dir D` against a real running node: a login URL that works once and sets the session cookie. */
import '../../../node/polyfill.ts'
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { aip, lines } from '../cli/helpers.ts'
import { startDashboard } from './fixture.ts'

test('aip ui prints a one-time login URL; the node exchanges it for an HttpOnly, SameSite=Strict cookie', async () => {
  const d = await startDashboard(1, 0)
  try {
    const run = await aip('ui', '--dir', d.bed.sites[0].dir, '--json')
    assert.equal(run.status, 0, run.stdout + run.stderr)
    const { url } = lines<{ url: string }>(run.stdout)[0]
    assert.match(url, new RegExp(`^${d.url}/ui/login\\?token=[A-Za-z0-9_-]{43}$`))
    const first = await fetch(url, { redirect: 'manual' })
    assert.equal(first.status, 303)
    assert.equal(first.headers.get('location'), '/ui/')
    assert.match(first.headers.get('set-cookie') ?? '', /^aip_session=[A-Za-z0-9_-]{43}; HttpOnly; SameSite=Strict; Path=\/ui; Max-Age=\d+$/)
    const cookie = (first.headers.get('set-cookie') ?? '').split(';')[0]
    assert.equal((await fetch(`${d.url}/ui/api/status`, { headers: { cookie } })).status, 200)
    assert.equal((await fetch(url, { redirect: 'manual' })).status, 401, 'used once')
    const text = await aip('ui', '--dir', d.bed.sites[0].dir)
    assert.match(text.stdout, /\/ui\/login\?token=.*\n\(works once, until /)
  } finally {
    await d.stop()
  }
})
