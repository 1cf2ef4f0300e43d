/**
 * A real sync site for tests and bench/sync.ts: libp2p (TCP on 127.0.0.1, Noise, Yamux), a level RecordStore on
 * disk, a TrustState pinned to a seeded dev federation, and records accepted through the site's one door
 * (node/records: the record layer's validateRecord, a durable put with its tombstones, then trust effects).
 */
import '../../../node/polyfill.ts'
import { createHash } from 'node:crypto'
import { mkdtemp } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { noise } from '@chainsafe/libp2p-noise'
import { yamux } from '@chainsafe/libp2p-yamux'
import { tcp } from '@libp2p/tcp'
import { createLibp2p } from 'libp2p'
import type { Libp2p } from '@libp2p/interface'
import { createRecord } from '../../../protocol/records/index.ts'
import type { DecodedRecord } from '../../../protocol/records/index.ts'
import { generateSigningKey } from '../../../protocol/keys.ts'
import { recordCid } from '../../../protocol/ids.ts'
import type { SigningKey } from '../../../protocol/keys.ts'
import { devFederation } from '../../../protocol/dev.ts'
import { TrustState } from '../../../protocol/trust.ts'
import { RecordDoor } from '../../../node/records/index.ts'
import { RecordStore } from '../../../node/store/store.ts'
import { SyncIndex, SyncService, digestOfId } from '../../../node/sync/index.ts'
import type { SyncInit, SyncVerdict } from '../../../node/sync/index.ts'

/** 2026-01-01T00:00:00Z: records are created from here on; sites' clocks read T0 + 30 days. */
export const T0 = 1_767_225_600_000
const NOW = T0 + 30 * 24 * 3600 * 1000

export function seededKey(label: string): SigningKey {
  return generateSigningKey(new Uint8Array(createHash('sha256').update(`aip sync test key: ${label}`).digest()))
}

/** One federation: a CH root and a CH site certified with every role. */
export const FED = (() => {
  const rootKey = seededKey('root CH')
  const siteKey = seededKey('site CH-1')
  return { siteKey, ...devFederation({ nation: 'CH', rootKey, siteKey, created: T0 - 1000, validForMs: 5 * 365 * 24 * 3600 * 1000 /* the longest aip-v1 allows; `aip sync` validates against the wall clock */ }) }
})()

const SUITE = recordCid(new TextEncoder().encode('suite'))
const MODEL = recordCid(new TextEncoder().encode('model'))

/** The `i`-th BenchmarkResult of a seeded series; `rows` score rows (6 make ~1 KB). */
export function makeRecord(seed: string, i: number, rows = 6): DecodedRecord {
  const d = (label: string) => new Uint8Array(createHash('sha256').update(`${seed}/${i}/${label}`).digest())
  return createRecord('BenchmarkResult', {
    suite: SUITE,
    model: MODEL,
    weights_root: d('weights'),
    engine: { backend: 'onnxruntime-node', version: '1.30.0', model_name: `model-${seed}` },
    decoding: { mode: 'likelihood', max_tokens: 64, temperature: '0.0' },
    seed: i,
    item_count: 400,
    scores: Array.from({ length: rows }, (_, k) => ({
      category: `category-${k}`, n: 60 + k, score_ppm: 850_000 + k, ci_low_ppm: 760_000 + k, ci_high_ppm: 910_000 + k,
    })),
    overall_ppm: 874_500,
    transcript_root: d('transcript'),
    method: 'wilson-95',
  }, FED.siteKey, T0 + i)
}

export interface Site {
  libp2p: Libp2p
  store: RecordStore
  index: SyncIndex
  sync: SyncService
  trust: TrustState
  dir: string
  addr(): string
  /** Validates and durably stores a record, as gossip does. */
  accept(bytes: Uint8Array): Promise<SyncVerdict>
  /** Peers scored down by sync, in order. */
  penalised: string[]
  stop(): Promise<void>
}

export interface SiteHooks {
  /** Called once a record's verdict is known (after the durable put for an accept). */
  afterAccept?(bytes: Uint8Array, verdict: SyncVerdict): void
}

/** Opens (or reopens) the site at `dir` and starts its libp2p host and sync service. */
export async function startSite(dir?: string, init: SyncInit = { onConnect: false, intervalMs: 0 }, hooks: SiteHooks = {}): Promise<Site> {
  const where = dir ?? (await mkdtemp(join(tmpdir(), 'aip-sync-')))
  const store = await RecordStore.open(join(where, 'store'))
  const trust = new TrustState(FED.charter.id)
  trust.apply(FED.charter)
  trust.apply(FED.certificate)
  const door = new RecordDoor(store, trust, { now: () => NOW })
  const accept = async (bytes: Uint8Array, peer = ''): Promise<SyncVerdict> => {
    const o = await door.admit(bytes, { via: 'sync', peer })
    const verdict: SyncVerdict = { action: o.action, code: o.code }
    hooks.afterAccept?.(bytes, verdict)
    return verdict
  }
  const libp2p = await createLibp2p({
    addresses: { listen: ['/ip4/127.0.0.1/tcp/0'] },
    transports: [tcp()],
    connectionEncrypters: [noise()],
    streamMuxers: [yamux()],
  })
  const index = await SyncIndex.load(store)
  door.on('withdrawn', ({ id }) => index.withdraw(digestOfId(id)))
  const penalised: string[] = []
  const log = process.env.AIP_SYNC_LOG !== undefined ? (line: string) => console.error(line) : undefined
  const sync = new SyncService({ libp2p, index, store, accept, penalise: (peer) => penalised.push(peer), log }, init)
  await sync.start()
  return {
    libp2p, store, index, sync, trust, dir: where, accept, penalised,
    addr: () => libp2p.getMultiaddrs()[0].toString(),
    async stop() {
      await sync.stop()
      await libp2p.stop()
      await store.close()
    },
  }
}

/** Stores records directly (test setup: what a site already held). */
export async function seed(site: Site, records: readonly DecodedRecord[]): Promise<void> {
  for (let i = 0; i < records.length; i += 2000) await site.store.putMany(records.slice(i, i + 2000))
  await site.index.reload()
}

/** Sorted record IDs a site holds. */
export async function idsOf(site: Site): Promise<string[]> {
  const out: string[] = []
  for await (const info of site.store.list()) out.push(info.id)
  return out.sort()
}
