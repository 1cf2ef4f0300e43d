/**
 * The audit log over the local HTTP API (specs/audit-v1.md §4.2), mounted by node/api/server.ts at /v1/audit/:
 *
 *   GET  checkpoint, tile/<L>/<N>[.p/<W>], tile/entries/<N>[.p/<W>]     tlog-tiles (read-only)
 *   POST checkpoint[?publish=1]                                        sign a checkpoint now; returns it (publish: also
 *                                                                      gather cosignatures and gossip it, §7.4)
 *   POST entries                                                       body = one encoded entry (§5) → {index}
 *   GET  vkey                                                          the log's verifier key (text)
 *   GET  proof/inclusion?index=I&size=N, proof/consistency?from=M&size=N   {proof: [base64]} (for tools without tiles)
 *   GET  equivocations                                                 the equivocations this site found as a witness
 */
import { AuditError, formatNote, parseEntry } from '../../protocol/index.ts'
import { auditResource } from './serve.ts'
import type { SiteAudit } from './site-audit.ts'

type Reply = { status: number; contentType: string; body: Uint8Array; headers?: Record<string, string> }

const json = (status: number, v: unknown): Reply => ({ status, contentType: 'application/json', body: Buffer.from(JSON.stringify(v)) })
const text = (s: string): Reply => ({ status: 200, contentType: 'text/plain; charset=utf-8', body: Buffer.from(s), headers: { 'cache-control': 'no-store' } })

function uintParam(q: URLSearchParams, name: string): number | undefined {
  const v = q.get(name)
  if (v === null || !/^(0|[1-9][0-9]{0,15})$/.test(v) || !Number.isSafeInteger(Number(v))) return undefined
  return Number(v)
}

export function auditApi(audit: SiteAudit, opts: { publish?: () => Promise<unknown> } = {}): (method: 'GET' | 'POST', path: string, q: URLSearchParams, body?: Uint8Array) => Promise<Reply> {
  return async (method, path, q, body) => {
    if (method === 'POST' && path === 'entries') {
      let entry
      try {
        entry = parseEntry(body ?? new Uint8Array(0))
      } catch (err) {
        if (err instanceof AuditError) return json(422, { error: err.code, message: err.message })
        throw err
      }
      return json(200, { index: await audit.append(entry) })
    }
    if (method === 'POST') {
      if (q.get('publish') === '1') {
        if (opts.publish === undefined) return json(409, { error: 'not_running', message: 'publishing needs the running node' })
        await opts.publish()
        const note = await audit.latest()
        if (note !== undefined) return text(formatNote(note))
      }
      return text(formatNote(await audit.checkpoint()))
    }
    if (path === 'vkey') return text(audit.verifierKey + '\n')
    if (path === 'equivocations') return json(200, { equivocations: await audit.witness.equivocations() })
    if (path === 'proof/inclusion' || path === 'proof/consistency') {
      const size = uintParam(q, 'size') ?? audit.log.size
      const at = uintParam(q, path === 'proof/inclusion' ? 'index' : 'from')
      const ok = at !== undefined && size <= audit.log.size && (path === 'proof/inclusion' ? at < size : at <= size)
      if (!ok) return json(400, { error: 'bad_query', message: `need ${path === 'proof/inclusion' ? 'index < size' : 'from ≤ size'} ≤ ${audit.log.size}` })
      const proof = path === 'proof/inclusion' ? await audit.log.inclusionProof(at, size) : await audit.log.consistencyProof(at, size)
      return json(200, { size, proof: proof.map((h) => Buffer.from(h).toString('base64')) })
    }
    const r = await auditResource(audit, path)
    if (r === 'not_found') return json(404, { error: 'not_found', message: `no ${path} in this log` })
    if (r === 'bad_tile_path') return json(400, { error: 'bad_query', message: 'not a tlog-tiles path' })
    return { status: 200, contentType: r.contentType, body: r.body, headers: { 'cache-control': r.immutable ? 'public, max-age=31536000, immutable' : 'no-store' } }
  }
}
