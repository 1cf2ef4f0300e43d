/**
 * The records port: how a command, an evaluation or a simulation reaches a site's records — through the running
 * node's API when `aip start` runs on the directory (the node holds the store's lock, and what is published there is
 * gossiped), else by opening the store directly. Errors are SiteError / StoreError with messages meant for the
 * operator (the CLI prints them without a stack: node/cli/run.ts).
 */
import { connectToNode } from '../api/client.ts'
import type { PublishOutcome, RecordInfoJson } from '../api/types.ts'
import { infoToJson } from '../api/types.ts'
import { openSite, sitePaths } from '../site/dir.ts'
import type { Site } from '../site/dir.ts'
import { RecordStore, StoreError } from '../store/store.ts'
import type { ListQuery } from '../store/store.ts'
import { replayTrust } from '../store/trust.ts'
import type { TrustState } from '../../protocol/index.ts'
import { RecordDoor } from './door.ts'
import { publicOutcome } from './outcome.ts'

export interface RecordAccess {
  /** 'api': a node runs on the directory; 'store': the command opened the store itself. */
  via: 'api' | 'store'
  site: Site
  list(q: ListQuery): AsyncIterable<RecordInfoJson>
  get(id: string): Promise<Uint8Array | undefined>
  /** The federation state these records establish (the running node's records, or the store's). */
  trust(): Promise<TrustState>
  /** Validates and stores (and, through a running node, gossips) one record. */
  publish(bytes: Uint8Array): Promise<PublishOutcome>
  /** Appends an operator entry to the site's audit log when the caller holds the running node's open log (in-process
   * callers); absent: the command opens the log itself (node/tune/log.ts auditOperator). */
  operator?(action: 'tuning' | 'rollback' | 'erasure', subject: string, detail: string): Promise<void>
  close(): Promise<void>
}

export async function openRecords(dir: string): Promise<RecordAccess> {
  const site = await openSite(dir)
  const client = await connectToNode(site.dir)
  if (client) {
    return {
      via: 'api', site,
      list: (q) => client.list(q),
      get: (id) => client.getRecord(id),
      publish: (bytes) => client.publish(bytes),
      trust: () => replayTrust(site.config.genesisCharter, async function* (type) {
        for await (const info of client.list({ type })) {
          const bytes = await client.getRecord(info.id)
          if (bytes !== undefined) yield bytes
        }
      }),
      close: async () => {},
    }
  }
  const store = await openStore(site)
  const door = await RecordDoor.open(store, site.config.genesisCharter)
  return {
    via: 'store', site,
    async *list(q) { for await (const i of store.list(q)) yield infoToJson(i) },
    get: (id) => store.get(id),
    trust: async () => door.trust,
    publish: async (bytes) => publicOutcome(await door.admit(bytes, { via: 'import' })),
    close: () => store.close(),
  }
}

/** Opens the site's store; when another process holds its lock, says that the node's API did not answer. */
export async function openStore(site: Site): Promise<RecordStore> {
  try {
    return await RecordStore.open(sitePaths(site.dir).store)
  } catch (err) {
    if (err instanceof StoreError && err.code === 'store_locked') {
      throw new StoreError('store_locked', `${err.message}; its API did not answer (see ${site.dir}/node.json), so the store cannot be used now`)
    }
    throw err
  }
}
