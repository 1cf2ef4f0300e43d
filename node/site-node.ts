/**
 * A running AIP site: store + trust + network + local HTTP API + metrics, started and stopped together.
 * `aip start` (node/cli/commands/start.ts) runs one; tests, simulations and the gossip benchmark start several.
 *
 *   const node = await startSiteNode('sites/ch')
 *   await node.publish(recordBytes)      // validated, stored durably, then gossiped
 *   await node.stop()
 */
import { prometheusMetrics } from '@libp2p/prometheus-metrics'
import { decodeRecord } from '../protocol/index.ts'
import type { TrustState } from '../protocol/index.ts'
import { startApi, storeHandlers, writeNodeFile, removeNodeFile } from './api/index.ts'
import { uiRoutes } from './ui/server.ts'
import { uiAlign } from './ui/align.ts'
import { alertingLog } from './ui/alerts.ts'
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
import { RecordDoor, publicOutcome, sourceLabel } from './records/index.ts'
import type { QueueOptions, Source } from './records/index.ts'
import { RecordStore } from './store/store.ts'
import { digestOfId, SyncIndex, SyncService } from './sync/index.ts'
import { EGRESS_EVENTS, startSiteAudit } from './audit/node-audit.ts'
import type { NodeAudit } from './audit/node-audit.ts'
import type { SyncInit } from './sync/index.ts'
import { EgressGuard, egressSettings } from './net/egress/index.ts'
import type { EgressSettings } from './net/egress/index.ts'
import { heldBackChunks, SiteAlignment } from './align/site.ts'

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
  /** Validation queue budgets (default specs/network-v1.md §7, §7.1; a site MAY configure others). */
  queues?: QueueOptions
  /** Called after each record is durably stored, whatever the entrance (the door's `stored` event), with that entrance. */
  onStored?: (record: NetRecord, source: Source) => void
  /** Clock, ms since the Unix epoch (default Date.now). */
  now?: () => number
  /** Anti-entropy sync with admitted peers (specs/sync-v1.md); false turns it off. Default: on, default timings. */
  sync?: SyncInit | false
  /**
   * The egress guard (specs/alignment-v1.md §6): default on, with config.json's `egress` settings. false turns it off
   * (simulations wrap the encrypter with their own blocking monitor).
   */
  egress?: EgressSettings | false
  /** The site's audit log (specs/audit-v1.md); false turns it off. Default: on, settings from DIR/audit.json. */
  audit?: boolean
}

export interface SiteNode {
  site: Site
  store: RecordStore
  /** The one door by which records get in (node/records): every entrance admits through it. */
  records: RecordDoor
  /** The federation trust state the stored records establish. */
  trust: TrustState
  network: Network
  /** Present unless `sync: false`. */
  sync?: SyncService
  /** Alignment exchange: /aip/share/1.0.0 and the releasability rules (specs/alignment-v1.md). */
  alignment?: SiteAlignment
  /** The egress guard (alignment-v1 §6). */
  egress: EgressGuard
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
  const plainLog = opts.log ?? jsonLineLog({ site: site.config.nation })
  // the dashboard's alert list: every logged event that carries an `alert` or is a warning or error;
  // audit-v1 §5.4: every egress event the node logs is also an audit entry (audit is set once it is open)
  const alerting = alertingLog((event, fields) => {
    plainLog(event, fields)
    if (EGRESS_EVENTS.has(event)) audit?.egress(event, fields ?? {})
  })
  const log: NetLog = alerting.log
  const now = opts.now ?? Date.now
  const store = await RecordStore.open(sitePaths(site.dir).store)
  const startedAt = now()
  let net: Network | undefined
  let sync: SyncService | undefined
  let align: SiteAlignment | undefined
  let audit: NodeAudit | undefined
  try {
    const metrics = createMetrics({ defaults: opts.api ?? true })
    metrics.recordsInStore.set(await store.count())
    const limits = new SignerLimits(opts.signerLimits ?? DEFAULT_SIGNER_LIMITS)
    await seedQuotas(store, limits)
    const door = await RecordDoor.open(store, site.config.genesisCharter, { now, limits, queues: opts.queues })
    const index = await SyncIndex.load(store, () => heldBackChunks(store, now()))
    audit = opts.audit === false ? undefined : await startSiteAudit(site, { now, log })
    // The door's events: every subscriber of a stored record, in one place.
    door.on('outcome', ({ outcome, source }) => {
      metrics.validationOutcomes.inc({ topic: sourceLabel(source), action: outcome.action, code: outcome.code })
      if (outcome.action === 'reject') audit?.refused(outcome.id ?? 'unknown', outcome.code)
    })
    door.on('alert', ({ alert, kind }) => {
      // audit-v1 §7.3: with the audit log on, its gossip raises an equivocation once per log, after the witness refuses it
      if (kind === 'audit' && audit !== undefined) return
      log(`${kind}_alert`, { alert })
    })
    door.on('withdrawn', ({ id }) => index.withdraw(digestOfId(id)))
    door.on('stored', ({ record, source }) => {
      // audit-v1 §5.2: what this site published itself, and what it received
      audit?.record(record.id, record.type, source.via === 'local' || source.via === 'api' || source.via === 'import' ? 'published' : 'received', 'ok')
      metrics.recordsStored.inc({ type: record.type })
      metrics.recordsInStore.inc()
      index.add(digestOfId(record.id))
      if (record.type === 'Revocation') net?.gate.recheck()
      audit?.gossip.stored(record) // audit-v1 §7.4: checkpoints compared, equivocation proofs alerted
      // network-v1 §3 H7: federation records learned from a hello (or placed from the trust buffer) are announced
      if (source.via === 'hello' || source.via === 'placed') net?.gate.announce()
      // aip-v1 §5.7: a buffered record placed later is forwarded like a fresh one
      if (source.via === 'placed') net?.forward(record).catch((err: unknown) => log('forward_failed', { id: record.id, error: String(err) }))
      opts.onStored?.(record, source)
    })
    const admission = new Admission(door, site.key.publicKey)
    const guard = await EgressGuard.start(opts.egress === false ? { guard: false, weights: [] } : opts.egress ?? egressSettings(site.dir, site.config as { egress?: unknown }),
      (opts.api ?? true) ? metrics.registry : undefined, log)
    net = await Network.start({
      door,
      ownHello: (t) => admission.ownHello(t),
      place: (hello, key, t, peer) => admission.place(hello, key, t, peer),
      stillValid: admission.stillValid,
    }, {
      key: site.key,
      listen: opts.listen ?? site.config.listen,
      bootstrap: opts.bootstrap ?? site.config.bootstrap,
      metrics,
      log,
      now,
      hooks: { ...opts.hooks, wrapEncrypter: (noise) => guard.wrap(opts.hooks?.wrapEncrypter?.(noise) ?? noise) },
      libp2pMetrics: opts.libp2pMetrics ?? ((opts.api ?? true) ? prometheusMetrics({ registry: metrics.registry, collectDefaultMetrics: false }) : undefined),
    })
    const network = net
    const alignment = align = await SiteAlignment.start({ siteKey: site.key.publicKey, door, store, index, network, registry: (opts.api ?? true) ? metrics.registry : undefined, log, now })
    // node/net/patches/README.md: a patch whose self-check failed is disabled, loudly
    log('patches', network.host.patches)
    for (const [patch, r] of Object.entries(network.host.patches)) if (r !== 'ok') log('patch_disabled', { level: 'warn', patch, reason: r })
    if (audit !== undefined) {
      audit.gossip.publish = (bytes) => network.publish(bytes)
      // audit-v1 §7.3: the equivocation proofs this site holds stay alerts across restarts
      for await (const info of store.list({ type: 'AuditEquivocation' })) {
        const bytes = await store.get(info.id)
        const o = bytes === undefined ? undefined : decodeRecord(bytes)
        if (o?.action === 'accept') audit.gossip.stored(o.record)
      }
    }
    await audit?.attach({
      libp2p: network.host.libp2p,
      admitted: (peerId) => network.gate.admittedPeers().find((p) => p.peerId === peerId),
      admittedPeers: () => network.gate.admittedPeers(),
    })
    if (opts.sync !== false) {
      sync = new SyncService({
        libp2p: network.host.libp2p, index, store,
        accept: (bytes, peer) => door.admit(bytes, { via: 'sync', peer }),
        admits: (peer) => network.gate.isAdmitted(peer),
        whenAdmitted: (peer) => network.gate.whenAdmitted(peer),
        penalise: (peer, points) => network.gate.penalise(peer, points),
        log: (line) => log('sync', { line }),
      }, opts.sync ?? {})
      await sync.start()
    }
    const node: SiteNode = {
      site, store, records: door, trust: door.trust, network, sync, metrics, alignment, egress: guard, audit,
      addrs: () => network.addresses(),
      publish: async (bytes) => publicOutcome(await network.publish(bytes)),
      peers: () => network.peers(),
      async status() {
        const peers = network.peers()
        return {
          nation: site.config.nation,
          peerId: network.host.peerId.toString(),
          addrs: network.addresses(),
          startedAt,
          uptimeMs: now() - startedAt,
          records: await store.count(),
          peers: peers.length,
          admittedPeers: peers.filter((p) => p.admitted).length,
          validation: Object.fromEntries(network.validator.counts),
          admissions: Object.fromEntries(door.counts),
          refusals: Object.fromEntries(network.gate.refusals),
          queues: { trustPending: door.trust.pendingCount() },
          egressGuard: guard.status(),
          alignment: alignment.status(),
          patches: network.host.patches,
          // operator alerts: the trust state's (aip-v1 §5.2) and audit equivocations (audit-v1 §7.3)
          alerts: [...door.trust.alerts(), ...(audit?.gossip.alertList() ?? [])],
        }
      },
      async stop() {
        if (node.api !== undefined) {
          await node.api.close()
          await removeNodeFile(site.dir)
        }
        await sync?.stop()
        await alignment.stop()
        await network.stop()
        await audit?.stop()
        await store.close()
        log('node_stopped', {})
      },
    }
    if (opts.api ?? true) {
      const apiPublish = async (bytes: Uint8Array): Promise<PublishOutcome> => {
        const v = await door.admit(bytes, { via: 'api' })
        if (v.action === 'accept' && v.record !== undefined) await network.forward(v.record)
        // network-v1 §4: the operator publishing a record the site already holds (stored offline, e.g. by
        // `aip bench run`) announces it again; the outcome stays `ignore duplicate`
        if (v.code === 'duplicate') {
          const held = decodeRecord(bytes)
          if (held.action === 'accept') await network.forward(held.record).catch((err: unknown) => log('forward_failed', { id: held.record.id, error: String(err) }))
        }
        return publicOutcome(v)
      }
      node.api = await startApi({
        ...storeHandlers(store),
        status: () => node.status(),
        peers: async () => node.peers().map((p) => ({ ...p })),
        // POST /v1/records: the operator's own records (`aip import`/`publish` through this node), never charged as a peer
        publish: apiPublish,
        audit: audit?.api,
      }, {
        host: site.config.api.host, port: site.config.api.port, token: await readApiToken(site.dir),
        maxBodyBytes: site.config.limits.apiMaxBodyBytes, maxPageSize: site.config.limits.apiMaxPageSize,
        metricsPublic: site.config.api.metricsPublic, metrics,
        ui: uiRoutes({
          genesisCharter: site.config.genesisCharter, siteKey: Buffer.from(site.key.publicKey).toString('hex'), maxBodyBytes: site.config.limits.apiMaxBodyBytes,
          align: uiAlign({ site, store, door, publish: apiPublish, now }), alerts: alerting.alerts, metrics: () => metrics.registry.metrics(),
        }),
      })
      await writeNodeFile(site.dir, {
        pid: process.pid, api: { host: node.api.host, port: node.api.port }, peerId: network.host.peerId.toString(),
        addrs: network.addresses(), startedAt,
      })
      log('api_listening', { url: node.api.url })
    }
    return node
  } catch (err) {
    await sync?.stop().catch(() => undefined)
    await align?.stop().catch(() => undefined)
    await net?.stop().catch(() => undefined)
    await audit?.stop().catch(() => undefined)
    await store.close()
    throw err
  }
}
