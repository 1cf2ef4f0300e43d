/**
 * The audit log inside a running node (specs/audit-v1.md): opens the site's log, logs what the node does without
 * delaying it (entries join the next group commit; a failed append is logged, never thrown into the caller), signs
 * checkpoints on a schedule, prunes captured content by the retention policy, and serves the log on the local API.
 */
import type { NetLog } from '../net/log.ts'
import type { Site } from '../site/dir.ts'
import { auditApi } from './api.ts'
import { AuditService } from './service.ts'
import type { AuditServiceComponents } from './service.ts'
import { SiteAudit } from './site-audit.ts'
import { AuditGossip } from './gossip.ts'
import type { InferenceEvent } from './site-audit.ts'

export interface NodeAudit {
  audit: SiteAudit
  /** A record this site stored (published or received) or refused (aip-v1 §6.3 code). */
  record(id: string, type: string, direction: 'published' | 'received' | 'refused', outcome: string): void
  /** A record the door rejected: its ID (the hash of the bytes) and the REJECT code; its type is not known. */
  refused(id: string, code: string): void
  inference(e: InferenceEvent): Promise<number>
  /** audit-v1 §5.4: an egress event the node logged (EGRESS_EVENTS), at most MAX_REFUSALS_LOGGED_PER_S a second. */
  egress(event: string, fields: Record<string, unknown>): void
  api: ReturnType<typeof auditApi>
  /** Starts /aip/audit/1.0.0 on the node's libp2p host (after the network is up). */
  attach(c: Omit<AuditServiceComponents, 'log'>): Promise<AuditService>
  /** Signs a checkpoint now and asks the admitted peers of other nations to cosign it (§7). */
  checkpointAndWitness(): Promise<{ size: number; cosignatures: number }>
  /** §7.4: checkpoints and equivocation proofs on gossip; the door's stored records go to `gossip.stored`. */
  gossip: AuditGossip
  /** Signs a checkpoint, gathers cosignatures and publishes it as an AuditCheckpoint (schedule and `--publish`). */
  checkpointAndPublish(): Promise<{ size: number; cosignatures: number; record?: string }>
  stop(): Promise<void>
}

/** audit-v1 §5.3: records whose publication by this site is an operator action, and which action. */
export const OPERATOR_RECORD_ACTIONS: Readonly<Record<string, 'certificate' | 'revocation' | 'charter' | 'approval' | 'erasure'>> = {
  SiteCertificate: 'certificate', Revocation: 'revocation', FederationCharter: 'charter', CharterApproval: 'approval', Retraction: 'erasure',
}

/**
 * audit-v1 §5.4: the node's log events that are egress events — a send the egress guard blocked (weight bytes), a
 * restricted chunk a share request was refused, a record withheld from broadcast by its label or embargo.
 */
export const EGRESS_EVENTS: ReadonlySet<string> = new Set(['egress_blocked', 'share_refused', 'broadcast_withheld'])

/** Most refusals logged per second: a peer's flood of bad records must not become a flood of audit entries. */
export const MAX_REFUSALS_LOGGED_PER_S = 100

export async function startSiteAudit(site: Site, opts: { now: () => number; log: NetLog }): Promise<NodeAudit> {
  const audit = await SiteAudit.open({ dir: site.dir, nation: site.config.nation, key: site.key }, { now: opts.now })
  const failed = (what: string) => (err: unknown) => opts.log('audit_append_failed', { what, err: String(err) })
  let window = 0
  let refusals = 0
  let egressWindow = 0
  let egressEvents = 0
  let service: AuditService | undefined
  const gossip = new AuditGossip(audit, { key: site.key, now: opts.now, log: opts.log, witnessGossipDelayMs: audit.config.witnessGossipDelayMs })
  const checkpointAndWitness = async () => {
    const note = await audit.checkpoint()
    const cosignatures = (await service?.requestCosignatures()) ?? 0
    return { size: Number(note.text.split('\n')[1]), cosignatures }
  }
  const checkpointAndPublish = async () => {
    const r = await checkpointAndWitness()
    return { ...r, record: await gossip.publishOwn() }
  }
  const tick = async () => {
    try {
      await checkpointAndPublish()
      await audit.pruneContent()
    } catch (err) {
      opts.log('audit_checkpoint_failed', { err: String(err) })
    }
  }
  const timer = audit.config.checkpointIntervalMs > 0 ? setInterval(() => void tick(), audit.config.checkpointIntervalMs) : undefined
  timer?.unref()
  return {
    audit,
    record(id, type, direction, outcome) {
      audit.logRecord(id, type, direction, outcome).catch(failed('record'))
      const action = OPERATOR_RECORD_ACTIONS[type]
      if (direction === 'published' && action !== undefined) audit.logOperator(action, `${type} ${id}`).catch(failed('operator'))
    },
    refused(id, code) {
      const second = Math.floor(opts.now() / 1000)
      if (second !== window) { window = second; refusals = 0 }
      if (++refusals > MAX_REFUSALS_LOGGED_PER_S) return
      audit.logRecord(id, 'unknown', 'refused', code).catch(failed('refused'))
    },
    inference: (e) => audit.logInference(e),
    egress(event, fields) {
      const second = Math.floor(opts.now() / 1000)
      if (second !== egressWindow) { egressWindow = second; egressEvents = 0 }
      if (++egressEvents > MAX_REFUSALS_LOGGED_PER_S) return
      const { peer, ...rest } = fields
      const detail = JSON.stringify(rest)
      // a withheld broadcast goes to no one peer: its peer is the gossip network
      const to = typeof peer === 'string' && peer.length > 0 ? peer.slice(0, 256) : event === 'broadcast_withheld' ? 'gossip' : 'unknown'
      try {
        audit.logEgress(event, to, detail.length > 2 ? detail.slice(0, 4096) : undefined).catch(failed('egress'))
      } catch (err) {
        failed('egress')(err) // never into the caller: the event happened whether or not it could be logged
      }
    },
    api: auditApi(audit, { publish: checkpointAndPublish }),
    gossip,
    checkpointAndPublish,
    async attach(c) {
      service = new AuditService(audit, { ...c, log: opts.log })
      await service.start()
      return service
    },
    checkpointAndWitness,
    async stop() {
      if (timer !== undefined) clearInterval(timer)
      await gossip.stop()
      await service?.stop()
      await audit.close()
    },
  }
}
