/**
 * The dashboard's entry point (bundled by scripts/ui-bundle.ts). The first render is cheap on purpose: the page loads
 * the session, status, peers and the federation records (charter, certificates, revocations: a few), verifies those,
 * and renders the federation view; meanwhile it fetches every envelope, then verifies the rest in slices between
 * frames, the header badge counting up. The alignment queue, the site's reviews, the audit checkpoint and the node's alerts load
 * alongside. Timings for bench/ui.ts are left on <body>: data-script-ms (the bundle running), data-fed-fetched-ms (the
 * federation records and the session, status and peers fetched), data-render-ms (federation view rendered, its records
 * verified), data-verified-ms (every record verified and shown), data-verify-ms (time spent verifying), data-records.
 */
import { h, render } from 'preact'
import type { ComponentChild as VNode } from 'preact'
import { useEffect, useState } from 'preact/hooks'
import { parseEnvelope, sigStructure, TRUST_TYPES } from '../../../protocol/index.ts'
import { preverify } from './shims/crypto.ts'
import { BrowserVerifier, splitBatch } from './verify.ts'
import { federationView, healthView, recordsView, resultsView } from './views.ts'
import type { Data, Extras } from './views.ts'
import { alignView } from './align-view.ts'
import { auditView } from './audit-view.ts'
import { provenanceView } from './provenance.ts'

const API = '/ui/api'
const TABS = [['federation', 'Federation'], ['results', 'Results'], ['provenance', 'Provenance'], ['alignment', 'Alignment'],
  ['audit', 'Audit'], ['health', 'Node health'], ['records', 'Records']] as const
type Tab = (typeof TABS)[number][0]
/** Envelopes verified per slice before the page yields to the browser (rendering, input). */
const SLICE = 250

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

const getJson = async <T>(path: string): Promise<T> => (await get(path)).json() as Promise<T>

/** Every page of GET /ui/api/envelopes (optionally of one type: the node's filter only orders the work, the browser checks every type). */
async function envelopes(type?: string): Promise<Uint8Array[]> {
  const all: Uint8Array[] = []
  let after: string | null = null
  do {
    const q = new URLSearchParams()
    if (type !== undefined) q.set('type', type)
    if (after !== null) q.set('after', after)
    const r = await get(`/envelopes?${q.toString()}`)
    all.push(...splitBatch(new Uint8Array(await r.arrayBuffer())))
    after = r.headers.get('x-aip-next')
  } while (after !== null)
  return all
}

/**
 * Has the browser's native Ed25519 (WebCrypto) check a batch's signatures before the record layer verifies them
 * (shims/crypto.ts: only a valid verdict is taken from it; the record layer still runs every check). Envelopes that
 * do not even parse are left to the record layer, which says why.
 */
async function prime(batch: readonly Uint8Array[]): Promise<void> {
  const items = batch.flatMap((bytes) => {
    try {
      const e = parseEnvelope(bytes)
      return [{ key: e.kid, message: sigStructure(e.protectedBytes, e.payload), signature: e.signature }]
    } catch {
      return []
    }
  })
  await preverify(items)
}

/** What loads after the first render, each on its own (a failure shows in its view, not as a page error). */
async function extras(): Promise<Omit<Extras, 'reviews'> & { reviews: Uint8Array[] | Error }> {
  const settle = <T>(p: Promise<T>): Promise<T | Error> => p.catch((e: unknown) => (e instanceof Error ? e : new Error(String(e))))
  const [queue, reviews, checkpoint, vkey, equivocations, alerts, metrics] = await Promise.all([
    settle(getJson<{ bundles: Extras['queue'] & object }>('/align').then((x) => x.bundles)),
    settle(get('/align/reviews').then(async (r) => splitBatch(new Uint8Array(await r.arrayBuffer())))),
    settle(get('/audit/checkpoint').then((r) => r.text())),
    settle(get('/audit/vkey').then((r) => r.text())),
    settle(getJson<{ equivocations: Array<Record<string, unknown>> }>('/audit/equivocations').then((x) => x.equivocations)),
    settle(getJson<{ alerts: Extras['alerts'] & object }>('/alerts').then((x) => x.alerts)),
    settle(get('/metrics').then((r) => r.text())),
  ])
  return { queue, reviews, checkpoint, vkey, equivocations, alerts, metrics }
}

/** The page's verifier, kept for the records loaded after the first pass (the site's reviews after a decision). */
let verifier: BrowserVerifier | undefined

const checkedExtras = async (v: BrowserVerifier): Promise<Extras> => {
  const x = await extras()
  return { ...x, reviews: x.reviews instanceof Error ? x.reviews : v.check(x.reviews) }
}

const tabOf = (hash: string): { tab: Tab; arg: string[] } => {
  const [head, ...arg] = hash.replace(/^#/, '').split('/')
  return { tab: TABS.find(([id]) => id === head)?.[0] ?? 'federation', arg }
}

function App(): VNode {
  const [data, setData] = useState<Data | undefined>(undefined)
  const [error, setError] = useState<{ status?: number; message: string } | undefined>(undefined)
  const [route, setRoute] = useState(tabOf(location.hash))
  const [published, setPublished] = useState('')
  const [generation, setGeneration] = useState(0)
  const fail = (e: unknown): void => setError({ status: e instanceof HttpFailure ? e.status : undefined, message: String(e) })

  useEffect(() => {
    let live = true
    const t0 = performance.now()
    void (async () => {
      const [session, status, peers, fed] = await Promise.all([
        getJson<{ csrf: string; genesisCharter: string; siteKey: string }>('/session'),
        getJson<Record<string, unknown>>('/status'),
        getJson<{ peers: Array<Record<string, unknown>> }>('/peers').then((p) => p.peers),
        Promise.all([...TRUST_TYPES].map((t) => envelopes(t))).then((xs) => xs.flat()),
      ])
      const now = Date.now()
      document.body.dataset.fedFetchedMs = performance.now().toFixed(1)
      // every envelope, fetched while the federation records are verified and the first view renders (not earlier: the
      // node would serve the whole store before the few records the first view needs)
      const rest = envelopes()
      rest.catch(() => undefined)
      const v = verifier = new BrowserVerifier(session.genesisCharter, now)
      let primeMs = performance.now()
      await prime(fed)
      primeMs = performance.now() - primeMs
      v.add(fed)
      const base = { csrf: session.csrf, genesisCharter: session.genesisCharter, siteKey: session.siteKey, status, peers, now }
      if (!live) return
      setData({ ...base, verification: v.snapshot(), done: false, extras: undefined })
      const more = checkedExtras(v)
      const all = await rest
      for (let i = 0; i < all.length; i += SLICE) {
        await new Promise((r) => setTimeout(r, 0))
        if (!live) return
        const slice = all.slice(i, i + SLICE)
        const t = performance.now()
        await prime(slice)
        primeMs += performance.now() - t
        v.add(slice)
        setData((d) => d === undefined ? d : { ...d, verification: v.snapshot(), total: all.length })
      }
      document.body.dataset.verifyMs = (v.ms + primeMs).toFixed(1) // the record layer's checks + WebCrypto's signature pass
      document.body.dataset.records = String(v.count)
      document.body.dataset.loadMs = (performance.now() - t0).toFixed(1)
      const x = await more
      if (live) setData((d) => d === undefined ? d : { ...d, verification: v.snapshot(), done: true, extras: x })
    })().catch(fail)
    return () => { live = false }
  }, [generation])
  useEffect(() => {
    const on = (): void => setRoute(tabOf(location.hash))
    addEventListener('hashchange', on)
    return () => removeEventListener('hashchange', on)
  }, [])
  useEffect(() => {
    if (data === undefined) return
    const ds = document.body.dataset
    if (ds.renderMs === undefined) ds.renderMs = performance.now().toFixed(1)
    if (data.done && ds.verifiedMs === undefined) ds.verifiedMs = performance.now().toFixed(1)
  }, [data])

  if (error !== undefined) {
    return h('div', { class: 'shell' }, h('h1', null, 'AIP dashboard'),
      h('p', { role: 'alert' }, error.status === 401 ? 'Not logged in. Run `aip ui --dir SITE` and open the URL it prints (it works once).' : error.message))
  }
  if (data === undefined) return h('div', { class: 'shell' }, h('h1', null, 'AIP dashboard'), h('p', null, 'Loading and verifying the federation records…'))
  const reload = (): void => {
    delete document.body.dataset.verifiedMs
    setGeneration((g) => g + 1)
  }
  const vs = data.verification.verdicts
  const bad = vs.filter((v) => !v.ok).length
  const publish = (file: File): void => {
    file.arrayBuffer()
      .then((buf) => fetch(`${API}/records`, { method: 'POST', body: buf, credentials: 'same-origin', headers: { 'x-aip-csrf': data.csrf, 'content-type': 'application/cose' } }))
      .then(async (r) => { const o = await r.json() as { action?: string; code?: string; error?: string }; setPublished(`${o.action ?? o.error}: ${o.code ?? ''}`); if (r.ok) reload() })
      .catch((e: unknown) => setPublished(String(e)))
  }
  const decide = async (bundle: string, decision: 'approve' | 'reject', reason: string): Promise<string> => {
    const r = await fetch(`${API}/align/decide`, {
      method: 'POST', credentials: 'same-origin', body: JSON.stringify({ bundle, decision, reason }),
      headers: { 'x-aip-csrf': data.csrf, 'content-type': 'application/json' },
    })
    const o = await r.json() as { review?: string; error?: string; message?: string }
    if (!r.ok) return `refused (${o.error ?? r.status}): ${o.message ?? ''}`
    // the decision is a new local review: fetch the reviews (and the queue) again and verify them; records are unchanged
    if (verifier !== undefined) {
      const x = await checkedExtras(verifier)
      setData((d) => d === undefined ? d : { ...d, extras: x })
    }
    return `${decision === 'approve' ? 'approved' : 'rejected'}: review ${o.review ?? ''}`
  }
  const { tab, arg } = route
  const view = tab === 'federation' ? federationView(data)
    : tab === 'results' ? resultsView(data)
    : tab === 'provenance' ? provenanceView(data, arg[0], arg[1])
    : tab === 'alignment' ? alignView(data, decide)
    : tab === 'audit' ? auditView(data)
    : tab === 'health' ? healthView(data)
    : recordsView(data, publish, published)
  const progress = data.done ? '' : ` · verifying: ${vs.length} of ${data.total ?? '…'} records checked so far`
  return h('div', { class: 'shell' },
    h('header', null,
      h('h1', null, `AIP dashboard · ${String(data.status.nation ?? '')}`),
      h('p', { class: bad > 0 ? 'verified bad' : data.done ? 'verified ok' : 'verified', id: 'verified', 'data-done': data.done ? 'true' : 'false', 'aria-live': 'polite' },
        `Verified in this browser: ${vs.length - bad} of ${vs.length} records valid (COSE_Sign1, deterministic CBOR, Ed25519 by @noble/ed25519, charter → root → site certificate) in ${data.verification.ms.toFixed(0)} ms`,
        progress, bad === 0 ? '' : ` · ${bad} invalid (see Records)`)),
    h('nav', { 'aria-label': 'Views' }, h('ul', null, TABS.map(([id, name]) => h('li', { key: id },
      h('a', { href: `#${id}`, 'aria-current': tab === id ? 'page' : undefined }, name))))),
    h('main', null, view))
}

document.body.dataset.scriptMs = performance.now().toFixed(1) // the bundle parsed and running
const root = document.getElementById('app')!
root.textContent = '' // the page's static "Loading…" placeholder
render(h(App, null), root)
