/**
 * Shared by `aip publish` and `aip import`: feeds every record of a CBOR sequence (RFC 8742) to a site and reports
 * one outcome per record. A file that cannot be delimited to its end (a truncated or indefinite-length item, garbage
 * after the last record) is refused whole: nothing is imported, and the report names the offset and the code — a
 * half-imported file is worse than none (the operator cannot tell what is missing). An empty file is an error too. Records that the site cannot place yet (IGNOREd for want of a charter or certificate that
 * comes later in the same file) are retried in further passes while any pass accepts something, so a file's order
 * does not matter. Nothing invalid is stored: every record goes through the same validation as gossip.
 */
import { constants } from 'node:fs'
import { open } from 'node:fs/promises'
import { recordId } from '../../protocol/index.ts'
import type { PublishOutcome } from '../api/types.ts'
import { splitSequence } from '../records/sequence.ts'
import type { SequenceItem } from '../records/sequence.ts'
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

/**
 * Reads a whole sequence file, at most MAX_IMPORT_FILE_BYTES. Only a regular file, or standard input when `path` is
 * '-': a FIFO or a device would be read until its EOF, which may never come. The file is opened without blocking
 * (O_NONBLOCK: opening a FIFO would otherwise wait for a writer) and checked through the open handle, so it cannot be
 * swapped between the check and the read.
 */
export async function readSequenceFile(path: string): Promise<Uint8Array> {
  if (path === '-') {
    const stdin = await readBounded(process.stdin, 'standard input')
    if (stdin.length === 0) throw new UsageError('standard input is empty: it holds no record', 1)
    return stdin
  }
  let fh
  try {
    fh = await open(path, constants.O_RDONLY | constants.O_NONBLOCK)
  } catch (err) {
    throw new UsageError(`cannot read ${path}: ${(err as Error).message}`, 1)
  }
  let bytes: Uint8Array
  try {
    const st = await fh.stat()
    if (!st.isFile()) throw new UsageError(`${path} is not a regular file (a FIFO or device is read until its end, which may never come); give a file, or - for standard input`, 1)
    if (st.size > MAX_IMPORT_FILE_BYTES) throw new UsageError(`${path} is ${st.size} bytes; split it (at most ${MAX_IMPORT_FILE_BYTES} per import)`, 1)
    bytes = await readBounded(fh.createReadStream({ autoClose: false }), path)
  } catch (err) {
    if (err instanceof UsageError) throw err
    throw new UsageError(`cannot read ${path}: ${(err as Error).message}`, 1)
  } finally {
    await fh.close()
  }
  if (bytes.length === 0) throw new UsageError(`${path} is empty: it holds no record`, 1)
  return bytes
}

/** Whether a split file holds a framing error (then nothing of it is imported). */
export function framingError(items: SequenceItem[]): Extract<SequenceItem, { error: string }> | undefined {
  const last = items[items.length - 1]
  return last !== undefined && 'error' in last ? last : undefined
}

/** Reads a stream to its end, refusing it once it exceeds MAX_IMPORT_FILE_BYTES (a file may grow while read). */
async function readBounded(stream: AsyncIterable<Buffer>, name: string): Promise<Uint8Array> {
  const chunks: Buffer[] = []
  let n = 0
  for await (const chunk of stream) {
    n += chunk.length
    if (n > MAX_IMPORT_FILE_BYTES) throw new UsageError(`${name} exceeds ${MAX_IMPORT_FILE_BYTES} bytes; split it`, 1)
    chunks.push(chunk)
  }
  return new Uint8Array(Buffer.concat(chunks))
}

export async function ingestSequence(access: RecordAccess, file: Uint8Array): Promise<ItemOutcome[]> {
  const items = splitSequence(file)
  const bad = framingError(items)
  if (bad !== undefined) {
    // all or nothing: the file is refused whole, every record unimported (aip-v1 §3.2 codes)
    return items.map((it, index) => 'error' in it
      ? { index, offset: it.offset, action: 'reject', code: it.code, message: `${it.error}; the rest of the file cannot be delimited, so nothing of it was imported` }
      : { index, offset: it.offset, action: 'ignore', code: 'not_imported', message: `not imported: the file has a malformed item at offset ${bad.offset}`, id: recordId(it.bytes) })
  }
  const out: ItemOutcome[] = items.map((it, index) => 'error' in it
    ? { index, offset: it.offset, action: 'reject', code: it.code, message: it.error }
    : { index, offset: it.offset, action: 'ignore', code: 'pending', id: recordId(it.bytes) })
  let todo = items.map((_, i) => i).filter((i) => 'bytes' in items[i])
  while (todo.length > 0) {
    let progress = false
    for (const i of todo) {
      const it = items[i] as { bytes: Uint8Array }
      let o = await access.publish(it.bytes)
      if (o.code === 'duplicate' && out[i].action === 'ignore' && RETRYABLE.has(out[i].code)) {
        // aip-v1 §5.7: the trust state placed it, and the site stored it, once a later record of this file arrived
        o = { action: 'accept', code: 'ok', id: o.id, message: 'stored once a record it depends on arrived' }
      }
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
