/**
 * How a CLI command reaches a site's audit log: through the running node's API when `aip start` runs on the
 * directory (the node holds the log's lock), else by opening the log itself — as node/records/access.ts does for
 * records.
 */
import { connectToNode } from '../api/index.ts'
import { openSite, readApiToken } from '../site/index.ts'
import { encodeEntry, parseNote } from '../../protocol/index.ts'
import type { AuditEntry, Note } from '../../protocol/index.ts'
import type { AuditableEngine } from '../eval/inference-log.ts'
import { auditResource } from './serve.ts'
import { inferenceEntry, SiteAudit } from './site-audit.ts'
import type { InferenceEvent } from './site-audit.ts'
import { API_PREFIX } from '../api/constants.ts'

export interface AuditAccess {
  via: 'api' | 'log'
  /** The log's verifier key. */
  vkey(): Promise<string>
  append(entry: AuditEntry): Promise<number>
  /** The latest checkpoint; with `sign`, signs one of the current tree first. */
  checkpoint(sign: boolean): Promise<Note | undefined>
  /**
   * audit-v1 §7.4: the running node signs a checkpoint, gathers cosignatures and gossips it as an AuditCheckpoint;
   * returns it (undefined without a running node).
   */
  publish(): Promise<Note | undefined>
  /** A tlog-tiles resource (`checkpoint`, `tile/…`) or undefined. */
  resource(path: string): Promise<Uint8Array | undefined>
  /** The log itself when the command opened it ('log'). */
  local?: SiteAudit
  close(): Promise<void>
}

export async function openAudit(dir: string): Promise<AuditAccess> {
  const site = await openSite(dir)
  const client = await connectToNode(site.dir)
  if (client !== undefined) {
    const token = await readApiToken(site.dir)
    const call = async (method: string, path: string, body?: Uint8Array) => {
      const res = await fetch(`${client.url}${API_PREFIX}/audit/${path}`, { method, headers: { authorization: `Bearer ${token}` }, body })
      return res
    }
    const ok = async (res: Response) => {
      if (!res.ok) throw new Error(`audit API: ${res.status} ${await res.text()}`)
      return res
    }
    return {
      via: 'api',
      vkey: async () => (await (await ok(await call('GET', 'vkey'))).text()).trim(),
      append: async (entry) => ((await (await ok(await call('POST', 'entries', encodeEntry(entry)))).json()) as { index: number }).index,
      async checkpoint(sign) {
        const res = await call(sign ? 'POST' : 'GET', 'checkpoint')
        if (res.status === 404) return undefined
        return parseNote(await (await ok(res)).text())
      },
      publish: async () => parseNote(await (await ok(await call('POST', 'checkpoint?publish=1'))).text()),
      async resource(path) {
        const res = await call('GET', path)
        if (res.status === 404) return undefined
        return new Uint8Array(await (await ok(res)).arrayBuffer())
      },
      close: async () => {},
    }
  }
  const audit = await SiteAudit.open({ dir: site.dir, nation: site.config.nation, key: site.key })
  return {
    via: 'log', local: audit,
    vkey: async () => audit.verifierKey,
    append: (entry) => audit.append(entry),
    checkpoint: async (sign) => (sign ? audit.checkpoint() : audit.latest()),
    publish: async () => undefined,
    async resource(path) {
      const r = await auditResource(audit, path)
      return typeof r === 'string' ? undefined : r.body
    },
    close: () => audit.close(),
  }
}

/**
 * Attaches a site's audit log to a local engine for the duration of a command (aip bench run/serve): every
 * inference becomes an entry (audit-v1 §5.1), written by the running node when there is one. Returns the detach.
 */
export async function attachAudit(engine: AuditableEngine, dir: string, weightsRoot: Uint8Array, eachCall: boolean): Promise<() => Promise<void>> {
  const access = await openAudit(dir)
  engine.audit = {
    weightsRoot, eachCall,
    // through the API no content travels (the node's API takes entries only), so nothing is captured there
    log: (e: InferenceEvent) => (access.local !== undefined ? access.local.logInference(e) : access.append(inferenceEntry(e, Date.now(), false))),
  }
  return async () => {
    await engine.flushAudit()
    engine.audit = undefined
    await access.close()
  }
}
