/**
 * Shared by the key-management commands (cert, revoke, charter): sign a record with the site's nation root key (or
 * its site key), store/publish it at the site, optionally write it to a file for other sites, and report.
 */
import { writeFile } from 'node:fs/promises'
import { createRecord, ProtocolError, parseRecordId } from '../../protocol/index.ts'
import type { BodyOf, DecodedRecord, RecordType } from '../../protocol/index.ts'
import { readRootKey } from '../site/dir.ts'
import type { Site } from '../site/dir.ts'
import { SiteError } from '../site/errors.ts'
import type { SigningKey } from '../site/signing-key.ts'
import type { PublishOutcome } from '../api/types.ts'
import { UsageError } from './command.ts'
import { output } from './args.ts'
import type { RecordAccess } from '../records/access.ts'

export async function rootKeyOf(site: Site): Promise<SigningKey> {
  try {
    return await readRootKey(site)
  } catch (err) {
    if (err instanceof SiteError) throw new UsageError(err.message, 1)
    throw err
  }
}

/** Builds and signs a record; a body the record layer refuses becomes a UsageError naming the field. */
export function signRecord<T extends RecordType>(type: T, body: BodyOf<T>, key: SigningKey, created = Date.now()): DecodedRecord<T> {
  try {
    return createRecord(type, body, key, created)
  } catch (err) {
    if (err instanceof ProtocolError) throw new UsageError(`cannot build the ${type}: ${err.code}: ${err.message}`, 1)
    throw err
  }
}

export function recordLink(id: string, flag: string) {
  try {
    return parseRecordId(id)
  } catch {
    throw new UsageError(`${flag}: '${id}' is not a record ID (bafkrei…)`)
  }
}

/** Publishes at the site (validated like any record), writes `out` when given, prints the result. Exit code. */
export async function publishSigned(access: RecordAccess, record: DecodedRecord, opts: { out?: string; json?: boolean; extra?: object }): Promise<number> {
  if (opts.out !== undefined) await writeFile(opts.out, record.bytes)
  const outcome: PublishOutcome = await access.publish(record.bytes)
  const ok = outcome.action === 'accept' || outcome.code === 'duplicate'
  const info = { id: record.id, type: record.type, stored: ok, outcome, out: opts.out ?? null, via: access.via, ...opts.extra }
  output(opts.json, info, () => [
    `${record.type} ${record.id}`,
    ok ? `  stored at ${access.site.dir}${access.via === 'api' ? ' and gossiped by the running node' : ''}`
      : `  NOT stored here: ${outcome.action} ${outcome.code} — ${outcome.message ?? ''}`,
    ...(opts.out !== undefined ? [`  written to ${opts.out}`] : []),
  ].join('\n'))
  return ok ? 0 : 1
}

/** ms since the epoch from an integer or an ISO 8601 date. */
export function parseTime(v: string, flag: string): number {
  const ms = /^[0-9]+$/.test(v) ? Number(v) : Date.parse(v)
  if (!Number.isSafeInteger(ms) || ms < 0) throw new UsageError(`${flag}: '${v}' is neither ms since the epoch nor an ISO 8601 time`)
  return ms
}
