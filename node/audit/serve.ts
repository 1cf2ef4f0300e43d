/**
 * Serving a log read-only in the tlog-tiles layout (specs/audit-v1.md §4): one function from a path to bytes, used by
 * the local HTTP API and the libp2p protocol alike.
 */
import { AuditError, formatNote, parseTilePath } from '../../protocol/index.ts'
import type { SiteAudit } from './site-audit.ts'

export interface AuditResource {
  contentType: string
  /** tlog-tiles: the checkpoint is mutable (short cache), tiles immutable (long cache). */
  immutable: boolean
  body: Uint8Array
}

export type AuditServeError = 'not_found' | 'bad_tile_path'

/** `checkpoint`, `tile/<L>/<N>[.p/<W>]` or `tile/entries/<N>[.p/<W>]` → the resource, or an error code. */
export async function auditResource(audit: SiteAudit, path: string): Promise<AuditResource | AuditServeError> {
  if (path === 'checkpoint') {
    const note = await audit.latest()
    if (note === undefined) return 'not_found'
    return { contentType: 'text/plain; charset=utf-8', immutable: false, body: new TextEncoder().encode(formatNote(note)) }
  }
  let t
  try {
    t = parseTilePath(path)
  } catch (err) {
    if (err instanceof AuditError) return 'bad_tile_path'
    throw err
  }
  const body = t.level === 'entries' ? await audit.log.bundle(t.index, t.width) : await audit.log.tileOfWidth(t.level, t.index, t.width)
  if (body === undefined) return 'not_found'
  return { contentType: 'application/octet-stream', immutable: true, body }
}
