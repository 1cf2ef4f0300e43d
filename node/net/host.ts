/**
 * The site's libp2p host: TCP, Noise, Yamux, identify, ping and gossipsub (StrictNoSign, message id = record ID).
 * The PeerId is derived from the site's Ed25519 key — the same key that signs its records (aip-v1: one key per site).
 * Peer scoring follows specs/network-v1.md §6; the application-specific score comes from the caller (the gate).
 */
import { noise } from '@chainsafe/libp2p-noise'
import { yamux } from '@chainsafe/libp2p-yamux'
import { gossipsub, StrictNoSign } from '@libp2p/gossipsub'
import type { GossipSub, TopicValidatorResult } from '@libp2p/gossipsub'
import { createTopicScoreParams } from '@libp2p/gossipsub/score'
import type { TopicScoreParams } from '@libp2p/gossipsub/score'
import { identify } from '@libp2p/identify'
import type { ComponentLogger, ConnectionGater, Libp2p, PeerId } from '@libp2p/interface'
import { ping } from '@libp2p/ping'
import { tcp } from '@libp2p/tcp'
import { createLibp2p } from 'libp2p'
import type { Libp2pOptions } from 'libp2p'
import type { Metrics } from '@libp2p/interface'
import { libp2pPrivateKey } from '../site/peer-id.ts'
import type { SigningKey } from '../site/signing-key.ts'
import {
  APP_SPECIFIC_WEIGHT, GOSSIP_D, GOSSIP_D_HI, GOSSIP_D_LAZY, GOSSIP_D_LO, GOSSIP_MAX_MESSAGE_BYTES, IDONTWANT_MIN_BYTES, GOSSIP_THRESHOLD, GRAYLIST_THRESHOLD, INVALID_MESSAGE_DECAY,
  INVALID_MESSAGE_WEIGHT, MCACHE_HEARTBEATS, PING_TIMEOUT_MIN_MS, PUBLISH_THRESHOLD, SEEN_TTL_MS,
  MCACHE_ENTRY_OVERHEAD_BYTES, MCACHE_MAX_BYTES,
} from './constants.ts'
import { messageIdOf, messageIdToString, TOPICS } from './topics.ts'
import { checkRouterPatches, checkTransportPatches, installDeliveryWindow, installMcacheBudget, withWriteCoalescing } from './patches/index.ts'
import type { McacheBudget, PatchReport } from './patches/index.ts'

/** What gossipsub's implementation offers beyond its exported interface (asyncValidation needs it). */
export interface GossipRouter extends GossipSub {
  reportMessageValidationResult(msgId: string, propagationSource: string, acceptance: TopicValidatorResult): void
  getScore(peerId: string): number
  /** The peers of this site's mesh for `topic` (simulations report the mesh the parameters gave). */
  getMeshPeers(topic: string): string[]
}

type EncrypterFactory = NonNullable<Libp2pOptions['connectionEncrypters']>[number]

/**
 * Hooks for simulations (simulations/runner): another transport (e.g. @libp2p/memory for 100 sites in one process)
 * and a wrapper around the Noise encrypter factory (egress accounting and link emulation tap the plaintext there,
 * node/net/egress/monitor.ts). Production nodes leave them unset.
 */
export interface HostHooks {
  transports?: NonNullable<Libp2pOptions['transports']>
  wrapEncrypter?: (encrypter: EncrypterFactory) => EncrypterFactory
  /**
   * Period of libp2p's liveness ping on every connection (its default, 10 s, in production). A simulation of hundreds
   * of sites on one machine pings less: each ping opens a stream (multistream-select, a peer-store write) on both
   * ends of every link, the largest share of an idle site's CPU (simulations/README.md § 1,000 sites).
   */
  pingIntervalMs?: number
  /** libp2p's component logger (default: @libp2p/logger's, which builds a debug scope for every stream). */
  logger?: ComponentLogger
}

export interface HostOptions {
  /** The site key: its PeerId and record signer. */
  key: SigningKey
  /** Multiaddrs to listen on, e.g. ['/ip4/127.0.0.1/tcp/0']. */
  listen: string[]
  /** P5: the application-specific score of a peer (the gate's verdict). */
  appSpecificScore: (peerId: string) => number
  /** Refuses barred peers before any stream is opened. */
  connectionGater?: ConnectionGater
  /**
   * false: plain gossipsub with no application validation (the benchmark's baseline): messages are forwarded as soon
   * as gossipsub's own checks pass. Default true: nothing is forwarded until reportMessageValidationResult.
   */
  asyncValidation?: boolean
  /** Score parameters apply (default true). The baseline turns them off. */
  scoring?: boolean
  /** libp2p metrics (e.g. @libp2p/prometheus-metrics on the node's registry). */
  metrics?: (components: never) => Metrics
  hooks?: HostHooks
}

export interface SiteHost {
  libp2p: Libp2p<{ pubsub: GossipSub, identify: unknown, ping: unknown }>
  pubsub: GossipRouter
  peerId: PeerId
  /** The patches' self-check (node/net/patches/README.md): 'ok' or 'disabled: WHY' for each. */
  patches: PatchReport
  /** What gossipsub's message cache holds against MCACHE_MAX_BYTES (§7.1; undefined if its patch is disabled). */
  mcache: McacheBudget | undefined
}

/** §6 per-topic score parameters: only P4 (invalid deliveries) counts; delivery-rate penalties are off. */
function topicScore(): TopicScoreParams {
  return createTopicScoreParams({
    topicWeight: 1,
    timeInMeshWeight: 0, timeInMeshQuantum: 1000, timeInMeshCap: 1,
    firstMessageDeliveriesWeight: 0, firstMessageDeliveriesDecay: 0.5, firstMessageDeliveriesCap: 1,
    meshMessageDeliveriesWeight: 0, meshMessageDeliveriesDecay: 0.5, meshMessageDeliveriesCap: 1,
    meshMessageDeliveriesThreshold: 1, meshMessageDeliveriesWindow: 10, meshMessageDeliveriesActivation: 1000,
    meshFailurePenaltyWeight: 0, meshFailurePenaltyDecay: 0.5,
    invalidMessageDeliveriesWeight: INVALID_MESSAGE_WEIGHT, invalidMessageDeliveriesDecay: INVALID_MESSAGE_DECAY,
  })
}

export async function createSiteHost(opts: HostOptions): Promise<SiteHost> {
  await checkTransportPatches() // §2: yamux window updates at half a window, socket write coalescing (node/net/patches/)
  const privateKey = await libp2pPrivateKey(opts.key)
  const scoring = opts.scoring ?? true
  const libp2p = await createLibp2p({
    privateKey,
    ...(opts.metrics !== undefined ? { metrics: opts.metrics } : {}),
    addresses: { listen: opts.listen },
    transports: opts.hooks?.transports ?? [tcp()],
    connectionEncrypters: [withWriteCoalescing(opts.hooks?.wrapEncrypter?.(noise()) ?? noise())],
    streamMuxers: [yamux()],
    connectionGater: opts.connectionGater ?? {},
    connectionManager: { maxConnections: 128 },
    connectionMonitor: { pingTimeout: { minTimeout: PING_TIMEOUT_MIN_MS }, ...(opts.hooks?.pingIntervalMs === undefined ? {} : { pingInterval: opts.hooks.pingIntervalMs }) },
    ...(opts.hooks?.logger === undefined ? {} : { logger: opts.hooks.logger }),
    services: {
      identify: identify(),
      ping: ping(),
      pubsub: gossipsub({
        globalSignaturePolicy: StrictNoSign,
        msgIdFn: (msg) => messageIdOf(msg.data),
        msgIdToStrFn: messageIdToString,
        asyncValidation: opts.asyncValidation ?? true,
        mcacheLength: MCACHE_HEARTBEATS,
        seenTTL: SEEN_TTL_MS, // §6, §7.1 rule 5
        allowPublishToZeroTopicPeers: true,
        ignoreDuplicatePublishError: true,
        emitSelf: false,
        allowedTopics: [...TOPICS],
        // §5.1 mesh degree (the same at every federation size; D_out stays gossipsub's 2: < D_lo and ≤ D / 2)
        D: GOSSIP_D, Dlo: GOSSIP_D_LO, Dhi: GOSSIP_D_HI, Dlazy: GOSSIP_D_LAZY,
        maxInboundDataLength: GOSSIP_MAX_MESSAGE_BYTES,
        idontwantMinDataSize: IDONTWANT_MIN_BYTES, // §5
        // every peer is on 127.0.0.1 in tests and simulations: colocation must not count (§6)
        scoreParams: scoring
          ? {
              topics: Object.fromEntries(TOPICS.map((t) => [t, topicScore()])),
              topicScoreCap: 10,
              appSpecificScore: opts.appSpecificScore,
              appSpecificWeight: APP_SPECIFIC_WEIGHT,
              IPColocationFactorWeight: 0,
            }
          : { IPColocationFactorWeight: 0 },
        scoreThresholds: scoring
          ? { gossipThreshold: GOSSIP_THRESHOLD, publishThreshold: PUBLISH_THRESHOLD, graylistThreshold: GRAYLIST_THRESHOLD }
          : {},
      }),
    },
  })
  const pubsub = libp2p.services.pubsub as GossipRouter
  if (typeof pubsub.reportMessageValidationResult !== 'function' || typeof pubsub.getScore !== 'function') {
    throw new Error('@libp2p/gossipsub no longer exposes reportMessageValidationResult/getScore')
  }
  const patches = checkRouterPatches(pubsub)
  installDeliveryWindow(pubsub, SEEN_TTL_MS) // §7.1 rule 5: the score's delivery records, too, for SEEN_TTL_MS
  const mcache = installMcacheBudget(pubsub, MCACHE_MAX_BYTES, MCACHE_ENTRY_OVERHEAD_BYTES) // §7.1 memory budget
  return { libp2p, pubsub, peerId: libp2p.peerId, patches, mcache }
}
