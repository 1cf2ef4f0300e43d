/**
 * The dashboard's entry point (bundled by scripts/ui-bundle.ts): loads the session, the node's status and peers and every
 * raw envelope from the same origin, verifies the envelopes in the browser (verify.ts), and renders the views.
 * Timings for bench/ui.ts are left on <body> as data-verify-ms, data-records and data-render-ms.
 */
import { h, render } from 'preact'
import type { ComponentChild as VNode } from 'preact'
import { useEffect, useState } from 'preact/hooks'
import { splitBatch, verifyEnvelopes } from './verify.ts'
import { federationView, healthView, recordsView, resultsView } from './views.ts'
import type { Data } from './views.ts'

const API = '/ui/api'
const TABS = [['federation', 'Federation'], ['results', 'Results'], ['health', 'Node health'], ['records', 'Records']] as const
type Tab = (typeof TABS)[number][0]

class HttpFailure extends Error {
  constructor(readonly status: number, message: string) {
    super(message)
  }
}

async function get(path: string): Promise<Response> {
  const r = await fetch(`${API}${path}`, { credentials: 'same-origin' })
  if (!r.ok) throw new HttpFailure(r.status, `${path}: HTTP ${r.status} ${await r.text()}`)
  return r
}

async function load(): Promise<Data & { csrf: string }> {
  const t0 = performance.now()
  const [session, status, peers, envelopes] = await Promise.all([
    get('/session').then((r) => r.json() as Promise<{ csrf: string; genesisCharter: string }>),
    get('/status').then((r) => r.json() as Promise<Record<string, unknown>>),
    get('/peers').then((r) => r.json() as Promise<{ peers: Array<Record<string, unknown>> }>).then((p) => p.peers),
    (async () => {
      const all: Uint8Array[] = []
      let after: string | null = null
      do {
        const r = await get(`/envelopes${after === null ? '' : `?after=${encodeURIComponent(after)}`}`)
        all.push(...splitBatch(new Uint8Array(await r.arrayBuffer())))
        after = r.headers.get('x-aip-next')
      } while (after !== null)
      return all
    })(),
  ])
  const now = Date.now()
  const verification = verifyEnvelopes(envelopes, session.genesisCharter, now)
  document.body.dataset.verifyMs = verification.ms.toFixed(1)
  document.body.dataset.records = String(envelopes.length)
  document.body.dataset.loadMs = (performance.now() - t0).toFixed(1)
  return { csrf: session.csrf, genesisCharter: session.genesisCharter, status, peers, verification, now }
}

const tabOf = (hash: string): Tab => (TABS.find(([id]) => `#${id}` === hash)?.[0] ?? 'federation')

function App(): VNode {
  const [data, setData] = useState<(Data & { csrf: string }) | undefined>(undefined)
  const [error, setError] = useState<{ status?: number; message: string } | undefined>(undefined)
  const [tab, setTab] = useState<Tab>(tabOf(location.hash))
  const [published, setPublished] = useState('')
  const reload = (): void => { load().then(setData, (e: unknown) => setError({ status: e instanceof HttpFailure ? e.status : undefined, message: String(e) })) }
  useEffect(reload, [])
  useEffect(() => {
    const on = (): void => setTab(tabOf(location.hash))
    addEventListener('hashchange', on)
    return () => removeEventListener('hashchange', on)
  }, [])
  useEffect(() => { if (data !== undefined) document.body.dataset.renderMs = performance.now().toFixed(1) }, [data])
  if (error !== undefined) {
    return h('div', { class: 'shell' }, h('h1', null, 'AIP dashboard'),
      h('p', { role: 'alert' }, error.status === 401 ? 'Not logged in. Run `aip ui --dir SITE` and open the URL it prints (it works once).' : error.message))
  }
  if (data === undefined) return h('div', { class: 'shell' }, h('h1', null, 'AIP dashboard'), h('p', null, 'Loading and verifying records…'))
  const vs = data.verification.verdicts
  const bad = vs.filter((v) => !v.ok).length
  const publish = (file: File): void => {
    file.arrayBuffer()
      .then((buf) => fetch(`${API}/records`, { method: 'POST', body: buf, credentials: 'same-origin', headers: { 'x-aip-csrf': data.csrf, 'content-type': 'application/cose' } }))
      .then(async (r) => { const o = await r.json() as { action?: string; code?: string; error?: string }; setPublished(`${o.action ?? o.error}: ${o.code ?? ''}`); if (r.ok) reload() })
      .catch((e: unknown) => setPublished(String(e)))
  }
  const view = tab === 'federation' ? federationView(data) : tab === 'results' ? resultsView(data) : tab === 'health' ? healthView(data) : recordsView(data, publish, published)
  return h('div', { class: 'shell' },
    h('header', null,
      h('h1', null, `AIP dashboard · ${String(data.status.nation ?? '')}`),
      h('p', { class: bad === 0 ? 'verified ok' : 'verified bad', id: 'verified' },
        `Verified in this browser: ${vs.length - bad} of ${vs.length} records valid (COSE_Sign1, deterministic CBOR, Ed25519 by @noble/ed25519, charter → root → site certificate) in ${data.verification.ms.toFixed(0)} ms`,
        bad === 0 ? '' : ` · ${bad} invalid (see Records)`)),
    h('nav', { 'aria-label': 'Views' }, h('ul', null, TABS.map(([id, name]) => h('li', { key: id },
      h('a', { href: `#${id}`, 'aria-current': tab === id ? 'page' : undefined }, name))))),
    h('main', null, view))
}

render(h(App, null), document.getElementById('app')!)
