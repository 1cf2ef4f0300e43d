/**
 * A running AIP site: store + trust + network + local HTTP API + metrics, started and stopped together.
 * `aip start` (node/cli/commands/start.ts) runs one; tests, simulations and the gossip benchmark start several.
 *
 *   const node = await startSiteNode('sites/ch')
 *   await node.publish(recordBytes)      // validated, stored durably, then gossiped
 *   await node.stop()
 */
import { prometheusMetrics } from '@libp2p/prometheus-metrics'
import { recordId } from '../protocol/index.ts'
import type { DecodedRecord } from '../protocol/index.ts'
import { startApi, storeHandlers, writeNodeFile, removeNodeFile } from './api/index.ts'
import type { ApiServer, PublishOutcome } from './api/index.ts'
import { createMetrics } from './metrics.ts'
import type { NodeMetrics } from './metrics.ts'
import { Admission } from './net/admission.ts'
import type { HostHooks, HostOptions } from './net/host.ts'
import { jsonLineLog } from './net/log.ts'
import type { NetLog } from './net/log.ts'
import { Network } from './net/network.ts'
import type { PeerInfo } from './net/network.ts'
import { DEFAULT_SIGNER_LIMITS, SignerLimits } from './net/signer-limits.ts'
import type { SignerLimitsConfig } from './net/signer-limits.ts'
import type { NetRecord } from './net/validation.ts'
import { openSite, readApiToken, sitePaths } from './site/dir.ts'
import type { Site } from './site/dir.ts'
import { loadTrust } from './store/trust.ts'
import { Ingestor } from './records/ingest.ts'
import { RecordStore } from './store/store.ts'
import { digestOfId, SyncIndex, SyncService } from './sync/index.ts'
import { startSiteAudit } from './audit/node-audit.ts'
import type { NodeAudit } from './audit/node-audit.ts'
import type { SyncInit } from './sync/index.ts'

export interface SiteNodeOptions {
  /** Override the config's listen addresses (e.g. an ephemeral port in tests). */
  listen?: string[]
  /** Override the config's bootstrap list. */
  bootstrap?: string[]
  /** Serve the local HTTP API and write DIR/node.json (default true). */
  api?: boolean
  /** Structured log sink (default: JSON lines on stdout). */
  log?: NetLog
  /** libp2p metrics (default: @libp2p/prometheus-metrics on the node's registry when the API is served). */
  libp2pMetrics?: HostOptions['metrics']
  /** Simulation hooks: transport and encrypter wrapper (simulations/runner). */
  hooks?: HostHooks
  /** Per-signer rate and quota (default specs/network-v1.md §7). */
  signerLimits?: SignerLimitsConfig
  /** Called after each record is durably stored (gossip, hello or local publish). */
  onStored?: (record: NetRecord) => void
  /** Clock, ms since the Unix epoch (default Date.now). */
  now?: () => number
  /** Anti-entropy sync with admitted peers (specs/sync-v1.md); false turns it off. Default: on, default timings. */
  sync?: SyncInit | false
  /** The site's audit log (specs/audit-v1.md); false turns it off. Default: on, settings from DIR/audit.json. */
  audit?: boolean
}

export interface SiteNode {
  site: Site
  store: RecordStore
  network: Network
  /** Present unless `sync: false`. */
  sync?: SyncService
  metrics: NodeMetrics
  /** The audit log, its checkpoints and its witness service (absent with `audit: false`). */
  audit?: NodeAudit
  api?: ApiServer
  /** Multiaddrs with /p2p/PEERID, for other sites' bootstrap lists. */
  addrs(): string[]
  publish(bytes: Uint8Array): Promise<PublishOutcome>
  peers(): PeerInfo[]
  status(): Promise<Record<string, unknown>>
  stop(): Promise<void>
}

/** §7 quotas count what the store already holds: records per signer from the index (sizes are not indexed). */
async function seedQuotas(store: RecordStore, limits: SignerLimits): Promise<void> {
  const counts = new Map<string, number>()
  for await (const info of store.list()) {
    const signer = Buffer.from(info.signer).toString('hex')
    counts.set(signer, (counts.get(signer) ?? 0) + 1)
  }
  for (const [signer, n] of counts) limits.seed(signer, n, 0)
}

export async function startSiteNode(dir: string, opts: SiteNodeOptions = {}): Promise<SiteNode> {
  const site = await openSite(dir)
  const log = opts.log ?? jsonLineLog({ site: site.config.nation })
  const now = opts.now ?? Date.now
  const store = await RecordStore.open(sitePaths(site.dir).store)
  const startedAt = now()
  /** The network and sync, once started (the callbacks below run only after that; a failed start stops them). */
  const late: { network?: Network, sync?: SyncService, audit?: NodeAudit } = {}
  try {
    const trust = await loadTrust(store, site.config.genesisCharter)
    const metrics = createMetrics({ defaults: opts.api ?? true })
    metrics.recordsInStore.set(await store.count())
    const limits = new SignerLimits(opts.signerLimits ?? DEFAULT_SIGNER_LIMITS)
    await seedQuotas(store, limits)
    const index = await SyncIndex.load(store)
    const audit = late.audit = opts.audit === false ? undefined : await startSiteAudit(site, { now, log })
    /** IDs this site is publishing itself, so the audit log tells published from received (audit-v1 §5.2). */
    const publishing = new Set<string>()
    const stored = (record: NetRecord): void => {
      audit?.record(record.id, record.type, publishing.has(record.id) ? 'published' : 'received', 'ok')
      metrics.recordsStored.inc({ type: record.type })
      metrics.recordsInStore.inc()
      index.add(digestOfId(record.id))
      if (record.type === 'Revocation') late.network?.gate.recheck()
      opts.onStored?.(record)
    }
    const ingestor = new Ingestor(store, trust, now, (alert) => log('trust_alert', { alert }))
    const admission = new Admission(ingestor, site.key.publicKey, (record) => {
      stored(record)
      late.network?.gate.announce()
    })
    const net = late.network = await Network.start({
      validate: audit === undefined ? admission.validate : (bytes, t) => {
        const v = admission.validate(bytes, t)
        if (v.action === 'reject') audit.refused(bytes, v.code)
        return v
      },
      store: (record) => store.put(record as DecodedRecord),
      accepted: async (record) => {
        await ingestor.apply(record as DecodedRecord)
        stored(record)
      },
      ownHello: (t) => admission.ownHello(t),
      place: (hello, key, t) => admission.place(hello, key, t),
      stillValid: admission.stillValid,
      limits,
    }, {
      key: site.key,
      listen: opts.listen ?? site.config.listen,
      bootstrap: opts.bootstrap ?? site.config.bootstrap,
      metrics,
      log,
      now,
      hooks: opts.hooks,
      libp2pMetrics: opts.libp2pMetrics ?? ((opts.api ?? true) ? prometheusMetrics({ registry: metrics.registry, collectDefaultMetrics: false }) : undefined),
    })
    await audit?.attach({
      libp2p: net.host.libp2p,
      admitted: (peerId) => net.gate.admittedPeers().find((p) => p.peerId === peerId),
      admittedPeers: () => net.gate.admittedPeers(),
    })
    let sync: SyncService | undefined
    if (opts.sync !== false) {
      sync = late.sync = new SyncService({
        libp2p: net.host.libp2p, index, store,
        accept: async (bytes) => {
          // the serving peer is not known here: sync reports violations through `penalise` itself
          const v = await net.validator.synced(bytes, '')
          return { action: v.action, code: v.code }
        },
        admits: (peer) => net.gate.isAdmitted(peer),
        whenAdmitted: (peer) => net.gate.whenAdmitted(peer),
        penalise: (peer, points) => net.gate.penalise(peer, points),
        log: (line) => log('sync', { line }),
      }, opts.sync ?? {})
      await sync.start()
    }
    const node: SiteNode = {
      site, store, network: net, sync, metrics, audit,
      addrs: () => net.addresses(),
      async publish(bytes) {
        const id = recordId(bytes)
        publishing.add(id)
        const v = await net.publish(bytes).finally(() => publishing.delete(id))
        metrics.validationOutcomes.inc({ topic: 'api', action: v.action, code: v.code })
        return v.action === 'accept' ? { action: 'accept', code: 'ok', id: v.record.id } : { action: v.action, code: v.code, message: v.message }
      },
      peers: () => net.peers(),
      async status() {
        const peers = net.peers()
        return {
          nation: site.config.nation,
          peerId: net.host.peerId.toString(),
          addrs: net.addresses(),
          startedAt,
          uptimeMs: now() - startedAt,
          records: await store.count(),
          peers: peers.length,
          admittedPeers: peers.filter((p) => p.admitted).length,
          validation: Object.fromEntries(net.validator.counts),
          refusals: Object.fromEntries(net.gate.refusals),
        }
      },
      async stop() {
        if (node.api !== undefined) {
          await node.api.close()
          await removeNodeFile(site.dir)
        }
        await sync?.stop()
        await net.stop()
        await audit?.stop()
        await store.close()
        log('node_stopped', {})
      },
    }
    if (opts.api ?? true) {
      node.api = await startApi({
        ...storeHandlers(store),
        status: () => node.status(),
        peers: async () => node.peers().map((p) => ({ ...p })),
        publish: (bytes) => node.publish(bytes),
        audit: audit?.api,
      }, {
        host: site.config.api.host, port: site.config.api.port, token: await readApiToken(site.dir),
        maxBodyBytes: site.config.limits.apiMaxBodyBytes, maxPageSize: site.config.limits.apiMaxPageSize,
        metricsPublic: site.config.api.metricsPublic, metrics,
      })
      await writeNodeFile(site.dir, {
        pid: process.pid, api: { host: node.api.host, port: node.api.port }, peerId: net.host.peerId.toString(),
        addrs: net.addresses(), startedAt,
      })
      log('api_listening', { url: node.api.url })
    }
    return node
  } catch (err) {
    await late.sync?.stop().catch(() => undefined)
    await late.audit?.stop().catch(() => undefined)
    await late.network?.stop().catch(() => undefined)
    await store.close()
    throw err
  }
}
