/**
 * Shared by `aip publish` and `aip import`: feeds every record of a CBOR sequence (RFC 8742) to a site and reports
 * one outcome per record. Records that the site cannot place yet (IGNOREd for want of a charter or certificate that
 * comes later in the same file) are retried in further passes while any pass accepts something, so a file's order
 * does not matter. Nothing invalid is stored: every record goes through the same validation as gossip.
 */
import { readFile, stat } from 'node:fs/promises'
import { recordId } from '../../protocol/index.ts'
import type { PublishOutcome } from '../api/types.ts'
import { splitSequence } from '../records/sequence.ts'
import { UsageError } from './command.ts'
import type { RecordAccess } from '../records/access.ts'

/** IGNORE codes that a record later in the same file can resolve. */
const RETRYABLE = new Set(['charter_unknown', 'unknown_issuer', 'unknown_signer', 'role_missing'])

export interface ItemOutcome extends PublishOutcome {
  /** Position of the record in the file (0-based) and its byte offset. */
  index: number
  offset: number
}

/** Largest file `aip import` / `aip publish` reads (it is held in memory): 1 GiB ≈ a million 1 KB records. */
export const MAX_IMPORT_FILE_BYTES = 1 << 30

export async function readSequenceFile(path: string): Promise<Uint8Array> {
  let size: number
  try {
    size = (await stat(path)).size
  } catch (err) {
    throw new UsageError(`cannot read ${path}: ${(err as Error).message}`, 1)
  }
  if (size > MAX_IMPORT_FILE_BYTES) throw new UsageError(`${path} is ${size} bytes; split it (at most ${MAX_IMPORT_FILE_BYTES} per import)`, 1)
  try {
    return new Uint8Array(await readFile(path))
  } catch (err) {
    throw new UsageError(`cannot read ${path}: ${(err as Error).message}`, 1)
  }
}

export async function ingestSequence(access: RecordAccess, file: Uint8Array): Promise<ItemOutcome[]> {
  const items = splitSequence(file)
  const out: ItemOutcome[] = items.map((it, index) => 'error' in it
    ? { index, offset: it.offset, action: 'reject', code: 'undecodable', message: `${it.error}; the rest of the file cannot be delimited` }
    : { index, offset: it.offset, action: 'ignore', code: 'pending', id: recordId(it.bytes) })
  let todo = items.map((_, i) => i).filter((i) => 'bytes' in items[i])
  while (todo.length > 0) {
    let progress = false
    for (const i of todo) {
      const it = items[i] as { bytes: Uint8Array }
      const o = await access.publish(it.bytes)
      out[i] = { index: i, offset: out[i].offset, ...o }
      if (o.action === 'accept') progress = true
    }
    todo = todo.filter((i) => out[i].action === 'ignore' && RETRYABLE.has(out[i].code))
    if (!progress) break
  }
  return out
}

/** One line per record for humans. */
export function describe(o: ItemOutcome): string {
  const what = `#${o.index} @${o.offset}${o.id ? ' ' + o.id : ''}`
  return `${what}: ${o.action} ${o.code}${o.message ? ' — ' + o.message : ''}`
}

export function summary(outcomes: ItemOutcome[]): { records: number; accept: number; ignore: number; reject: number } {
  const s = { records: outcomes.length, accept: 0, ignore: 0, reject: 0 }
  for (const o of outcomes) s[o.action]++
  return s
}
