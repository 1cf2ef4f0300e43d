/**
 * CID links in a record body, generically (no record type named): what the provenance graph follows, so a link field
 * a new record type adds (a tuning record's model and bundles) appears without a change here. No preact import: the
 * Node tests load this file.
 */
import { CID } from 'multiformats/cid'

export interface Link {
  /** Where in the body: `suite`, `chunks[3]`, `inputs.bundles[0]`. */
  path: string
  id: string
}

/** Every CID link in a record body, with its path (depth-first, in field order). */
export function links(body: unknown, path = ''): Link[] {
  const cid = body !== null && typeof body === 'object' ? CID.asCID(body) : null
  if (cid !== null) return [{ path, id: cid.toString() }]
  if (Array.isArray(body)) return body.flatMap((x, i) => links(x, `${path}[${i}]`))
  if (body === null || typeof body !== 'object' || body instanceof Uint8Array) return []
  const entries = body instanceof Map ? [...(body as Map<unknown, unknown>)] : Object.entries(body)
  return entries.flatMap(([k, v]) => links(v, path === '' ? String(k) : `${path}.${String(k)}`))
}
