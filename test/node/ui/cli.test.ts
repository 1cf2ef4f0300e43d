/**
 * `aip ui --dir D` against a real running node: a login URL that works once and sets the session cookie; then the
 * /ui routes under hostile requests (clear codes, no crash).
 */
import '../../../node/polyfill.ts'
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { aip, lines } from '../cli/helpers.ts'
import { startDashboard } from './fixture.ts'

test('aip ui prints a one-time login URL; the node exchanges it for an HttpOnly, SameSite=Strict cookie; /ui refuses hostile requests with a code', async () => {
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

    // hostile or wrong requests: a stable code each, and the server keeps serving
    const status = async (path: string, init: RequestInit = {}): Promise<[number, string]> => {
      const r = await fetch(`${d.url}${path}`, { redirect: 'manual', ...init, headers: { cookie, ...(init.headers as Record<string, string> ?? {}) } })
      const body = await r.text()
      return [r.status, r.headers.get('content-type')?.includes('json') === true ? (JSON.parse(body) as { error: string }).error : '']
    }
    assert.deepEqual(await status('/ui/api/envelopes?after=x'), [400, 'bad_query'])
    assert.deepEqual(await status('/ui/api/envelopes?limit=0'), [400, 'bad_query'])
    assert.deepEqual(await status('/ui/api/nothing'), [404, 'not_found'])
    assert.deepEqual(await status('/ui/api/status', { method: 'POST' }), [405, 'method_not_allowed'])
    assert.deepEqual(await status('/ui/login?token=../../etc'), [401, ''])
    assert.deepEqual(await status('/ui/api/status', { headers: { cookie: 'aip_session=' + 'A'.repeat(43) } }), [401, 'unauthorized'])
    assert.deepEqual(await status('/ui/api/records', { method: 'POST', body: new Uint8Array(10), headers: { 'x-aip-csrf': 'x', origin: d.url } }), [403, 'csrf'])
    const csrf = ((await (await fetch(`${d.url}/ui/api/session`, { headers: { cookie } })).json()) as { csrf: string }).csrf
    assert.deepEqual(await status('/ui/api/records', { method: 'POST', body: new Uint8Array(10), headers: { 'x-aip-csrf': csrf } }), [403, 'csrf'], 'no Origin')
    assert.deepEqual(await status('/ui/api/records', { method: 'POST', body: new Uint8Array(5_000_000), headers: { 'x-aip-csrf': csrf, origin: d.url } }), [413, 'body_too_large'])
    const bad = await fetch(`${d.url}/ui/api/records`, { method: 'POST', body: Uint8Array.of(0xd2, 0x9f, 0xff), headers: { cookie, 'x-aip-csrf': csrf, origin: d.url } })
    assert.equal(bad.status, 422)
    const v1 = await fetch(`${d.url}/v1/records`, { method: 'POST', body: Uint8Array.of(0xd2, 0x9f, 0xff), headers: { authorization: `Bearer ${d.token}` } })
    const uiBody = await bad.json() as { code: string }
    assert.equal(uiBody.code, 'non_canonical')
    assert.deepEqual(uiBody, await v1.json(), 'the same outcome as POST /v1/records')
    // the review action: a malformed decision is refused with a code, a decision on an unknown or own bundle too
    const decide = (body: string | Uint8Array) => status('/ui/api/align/decide', { method: 'POST', body, headers: { 'x-aip-csrf': csrf, origin: d.url, 'content-type': 'application/json' } })
    assert.deepEqual(await decide('{"bundle":'), [400, 'bad_body'])
    assert.deepEqual(await decide(Uint8Array.of(0xff, 0xfe)), [400, 'bad_body'])
    assert.deepEqual(await decide(JSON.stringify({ bundle: '../x', decision: 'approve', reason: 'r' })), [400, 'bad_body'])
    assert.deepEqual(await decide(JSON.stringify({ bundle: d.ids.greenBundle, decision: 'delete', reason: 'r' })), [400, 'bad_body'])
    assert.deepEqual(await decide(JSON.stringify({ bundle: d.ids.greenBundle, decision: 'approve', reason: '  ' })), [400, 'bad_body'])
    assert.deepEqual(await decide(JSON.stringify({ bundle: d.ids.result, decision: 'approve', reason: 'not a bundle' })), [422, 'align_refused'])
    assert.deepEqual(await decide('x'.repeat(20_000)), [413, 'body_too_large'])
    assert.deepEqual(await status('/ui/api/envelopes?type=../x'), [400, 'bad_query'])
    assert.deepEqual(await status('/ui/api/record?id=../../etc'), [400, 'bad_query'])
    assert.deepEqual(await status(`/ui/api/record?id=${d.ids.result.slice(0, -4)}aaaa`), [404, 'not_found'])
    assert.equal((await status(`/ui/api/record?id=${d.ids.result}`))[0], 200)
    assert.deepEqual(await status('/ui/api/audit/tile/0/000'), [404, 'not_found'], 'only checkpoint, vkey and equivocations')
    const typed = await fetch(`${d.url}/ui/api/envelopes?type=AlignmentBundle`, { headers: { cookie } })
    assert.equal((await import('../../../node/ui/app/verify.ts')).splitBatch(new Uint8Array(await typed.arrayBuffer())).length, 2)
    const env = await fetch(`${d.url}/ui/api/envelopes?limit=1`, { headers: { cookie } })
    assert.equal(env.status, 200)
    assert.ok(env.headers.get('x-aip-next') !== null, 'one per page, more to come')
    assert.match(env.headers.get('content-security-policy') ?? '', /^default-src 'none'/)
    assert.equal((await status('/ui/api/logout', { method: 'POST', headers: { 'x-aip-csrf': csrf, origin: d.url } }))[0], 200)
    assert.deepEqual(await status('/ui/api/status'), [401, 'unauthorized'], 'logged out')
  } finally {
    await d.stop()
  }
})
