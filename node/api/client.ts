/**
 * ApiClient: what CLI commands use when a node runs on the site directory (the store is then locked by the node).
 * `connectToNode(dir)` finds the node through DIR/node.json, checks it is alive, and returns a client — or undefined,
 * in which case the command opens the store itself.
 */
import { recordId } from '../../protocol/index.ts'
import type { ListQuery } from '../store/store.ts'
import { readApiToken } from '../site/dir.ts'
import type { PublishOutcome, RecordInfoJson, RecordPage } from './types.ts'
import { API_PREFIX, LIVENESS_TIMEOUT_MS } from './constants.ts'
import { readNodeFile } from './node-file.ts'
import { apiProof, newNonce, proofMatches } from './proof.ts'

export class ApiError extends Error {
  constructor(readonly status: number, readonly code: string, message: string) {
    super(message)
    this.name = 'ApiError'
  }
}

export class ApiClient {
  constructor(readonly url: string, private readonly token: string, private readonly timeoutMs = 30_000) {}

  status(): Promise<Record<string, unknown>> {
    return this.json('GET', '/status')
  }

  async peers(): Promise<object[]> {
    return ((await this.json('GET', '/peers')) as { peers: object[] }).peers
  }

  listPage(q: ListQuery = {}): Promise<RecordPage> {
    const p = new URLSearchParams()
    if (q.type !== undefined) p.set('type', q.type)
    if (q.signer !== undefined) p.set('signer', Buffer.from(q.signer).toString('hex'))
    if (q.suite !== undefined) p.set('suite', q.suite)
    if (q.model !== undefined) p.set('model', q.model)
    if (q.since !== undefined) p.set('since', String(q.since))
    if (q.until !== undefined) p.set('until', String(q.until))
    if (q.limit !== undefined) p.set('limit', String(q.limit))
    if (q.after !== undefined) p.set('after', q.after)
    const qs = p.toString()
    return this.json('GET', `/records${qs ? '?' + qs : ''}`)
  }

  /** Every matching record, following `next` cursors page by page (stops after `q.limit` when given). */
  async *list(q: ListQuery = {}): AsyncIterable<RecordInfoJson> {
    let left = q.limit ?? Infinity
    let after = q.after
    while (left > 0) {
      const page = await this.listPage({ ...q, after, limit: Number.isFinite(left) ? left : undefined })
      for (const r of page.records) {
        yield r
        if (--left <= 0) return
      }
      if (page.next === undefined || page.records.length === 0) return
      after = page.next
    }
  }

  async getRecord(id: string): Promise<Uint8Array | undefined> {
    const res = await this.request('GET', `${API_PREFIX}/records/${encodeURIComponent(id)}`)
    if (res.status === 404) return undefined
    await this.check(res)
    return new Uint8Array(await res.arrayBuffer())
  }

  /**
   * Validates and stores one record through the node. A body over the node's limit is that record's outcome
   * (`reject oversize`, the code validation gives an envelope over MAX_ENVELOPE_BYTES), not a failed call: an
   * import carries on with the next record.
   */
  async publish(bytes: Uint8Array): Promise<PublishOutcome> {
    const res = await this.request('POST', `${API_PREFIX}/records`, bytes)
    if (res.status === 422) return (await res.json()) as PublishOutcome
    if (res.status === 413) {
      const j = (await res.json().catch(() => ({}))) as { message?: string }
      return { action: 'reject', code: 'oversize', message: `the node refused the body: ${j.message ?? 'too large'}`, id: recordId(bytes) }
    }
    await this.check(res)
    return (await res.json()) as PublishOutcome
  }

  async metrics(): Promise<string> {
    const res = await this.request('GET', '/metrics')
    await this.check(res)
    return res.text()
  }

  private async json<T>(method: string, path: string): Promise<T> {
    const res = await this.request(method, API_PREFIX + path)
    await this.check(res)
    return (await res.json()) as T
  }

  private request(method: string, path: string, body?: Uint8Array): Promise<Response> {
    return fetch(this.url + path, {
      method,
      headers: { authorization: `Bearer ${this.token}`, ...(body ? { 'content-type': 'application/cose' } : {}) },
      body,
      signal: AbortSignal.timeout(this.timeoutMs),
    })
  }

  private async check(res: Response): Promise<void> {
    if (res.ok) return
    let code = 'http_' + res.status
    let message = res.statusText
    try {
      const j = (await res.json()) as { error?: string; message?: string }
      code = j.error ?? code
      message = j.message ?? message
    } catch { /* not JSON */ }
    throw new ApiError(res.status, code, `${res.status} ${code}: ${message}`)
  }
}

/**
 * A client for the node running on site directory `dir`, or undefined when none runs: no node.json, its pid is gone
 * or not ours, or what answers at its address cannot prove within LIVENESS_TIMEOUT_MS that it holds the site's API
 * token (proof.ts). The token is sent only after that proof: a stale node.json whose port another process now holds
 * never gets it.
 */
export async function connectToNode(dir: string): Promise<ApiClient | undefined> {
  const info = await readNodeFile(dir)
  if (info === undefined) return undefined
  try {
    process.kill(info.pid, 0)
  } catch {
    // ESRCH: gone. EPERM: another user's process — the site's node runs as the site's owner, which openSite
    // requires us to be (site/permissions.ts), so a pid we may not signal is not our node.
    return undefined
  }
  const token = await readApiToken(dir)
  const host = info.api.host.includes(':') ? `[${info.api.host}]` : info.api.host
  const url = `http://${host}:${info.api.port}`
  const nonce = newNonce()
  try {
    const res = await fetch(`${url}${API_PREFIX}/proof?nonce=${nonce}`, { signal: AbortSignal.timeout(LIVENESS_TIMEOUT_MS) })
    const body = res.ok ? (await res.json()) as { proof?: unknown } : {}
    if (!proofMatches(body.proof, apiProof(token, nonce, info.api.host, info.api.port))) return undefined
  } catch {
    return undefined
  }
  return new ApiClient(url, token)
}
