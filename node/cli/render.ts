/** Turns record bodies into JSON for `--json` and human output: bytes as hex, CID links as their string form. */
import { CID } from 'multiformats/cid'

export type Json = string | number | boolean | null | Json[] | { [k: string]: Json }

export function toJson(v: unknown): Json {
  if (v === null || v === undefined) return null
  if (typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean') return v
  if (typeof v === 'bigint') return v.toString()
  if (v instanceof Uint8Array) return Buffer.from(v).toString('hex')
  const cid = CID.asCID(v)
  if (cid) return cid.toString()
  if (Array.isArray(v)) return v.map(toJson)
  if (typeof v === 'object') {
    const out: { [k: string]: Json } = {}
    for (const [k, x] of Object.entries(v)) if (x !== undefined) out[k] = toJson(x)
    return out
  }
  return String(v)
}

export function isoTime(ms: number): string {
  return new Date(ms).toISOString()
}
