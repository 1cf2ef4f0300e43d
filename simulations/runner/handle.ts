/**
 * What the runner needs from a site, wherever it runs: in this process (SimSite, mode "memory" with one worker) or
 * in a child OS process (ProcessSite: mode "process", or "memory" with workers). Everything crosses as plain data
 * (record bytes, ids, counts).
 */
import type { BackendName } from '../../kernels/index.ts'
import type { SuiteItem } from '../../node/index.ts'
import type { Role } from '../scenario/types.ts'
import type { LeakAttempt, ProbeRates, RecordKind, ResultRow, SiteAlert } from '../run.ts'

export interface PublishVerdict {
  action: string
  code: string
  message?: string
}

export interface AttackOutcome {
  sent: { id: string; kind: RecordKind }[]
  /** [attempts, detected] for exfiltrators. */
  exfil: [number, number]
  /** Equivocators: split views put before witnesses (1 when both views were cosigned by some witness). */
  equivocations?: number
}

/** A site's audit state as an outsider reads it (audit-v1 §4.3, §7): its latest checkpoint and its tiles. */
export interface AuditView {
  /** The latest signed checkpoint with its cosignatures (signed-note text), if any. */
  checkpoint?: string
  /** Reads a tlog-tiles resource of the site's log (as /aip/audit/1.0.0 or the HTTP API serve it). */
  get(path: string): Promise<Uint8Array | undefined>
}

export interface EvaluationOutcome {
  /** Envelope bytes of the records the evaluation published (ModelCommitment, then BenchmarkResult). */
  records: Uint8Array[]
  row: Omit<ResultRow, 'verified_by'>
}

export interface TuneOutcome extends EvaluationOutcome {
  /** Envelope bytes of the review, tuning record and child commitment (the result's own records are in `records`). */
  tuning: Uint8Array[]
  /** ID of the parent commitment, the tuned-from state. */
  parent: string
  /** The probe's refusal and compliance rates on the parent and on the tuned model, the data count and training CPU time. */
  probe: { before: ProbeRates; after: ProbeRates }
  data: number
  train_cpu_ms: number
}

/** A tune event's run parameters (TS trainer, tune-v1 §1). */
export interface TuneSettings { steps: number; batch: number; lr: number; seed: number }

export interface AttackMaterial {
  /** Honest records published so far (forgery victims). */
  victims: Uint8Array[]
  /** The records every store starts with (replay material). */
  genesis: Uint8Array[]
  /** Seeds the attack's random choices. */
  label: string
  /** forwarder: restricted chunks it is in the audience of (IDs) and the sites outside that audience to leak them to. */
  leak?: LeakPlan
}

export interface LeakPlan {
  chunks: string[]
  victims: { site: string; nation: string }[]
}

export interface SiteHandle {
  readonly id: string
  readonly alive: boolean
  revoked: boolean
  /** Record IDs this site stored during the run (from its delivery events). */
  readonly held: Set<string>
  readonly series: [number, number][]
  /** bootstrap: multiaddrs (with /p2p/) of the neighbours to dial. */
  start(bootstrap: string[]): Promise<void>
  stop(): Promise<void>
  /** Multiaddrs with /p2p/ (empty when down). */
  addrs(): string[]
  publish(bytes: Uint8Array): Promise<PublishVerdict>
  /** Applies a partition (null: heal) to this site's links and closes its connections across the cut. */
  partition(groups: string[][] | null): Promise<void>
  admittedPeers(): Promise<string[]>
  holds(ids: string[]): Promise<string[]>
  counts(): Promise<Map<string, number>>
  egress(): Promise<{ bytesSent: number; weightBytes: number }>
  attack(role: Role, count: number, material: AttackMaterial): Promise<AttackOutcome>
  evaluate(backend: BackendName): Promise<EvaluationOutcome>
  verify(bytes: Uint8Array): Promise<boolean>
  /** audit-v1 §7.4: signs a checkpoint, gathers cosignatures, gossips it; returns the note (mode memory). */
  auditCheckpoint(): Promise<string | undefined>
  /** The site's operator alerts (aip status `alerts`): trust and audit equivocations. */
  alerts(): Promise<string[]>
  /** The site's log as an outsider reads it (mode memory). */
  auditView(): Promise<AuditView>
  /** forwarder: every time it sent restricted bytes to a site outside their audience (so far). */
  leakAttempts(): Promise<LeakAttempt[]>
  /** The releasability violations this site logged (refusals and alerts), every incarnation. */
  violations(): Promise<SiteAlert[]>
  sample(atMs: number): void
  /** Peers in this site's gossipsub mesh of `topic` (undefined when the site is down). */
  meshPeers?(topic: string): Promise<number | undefined>
  /** SovereignTune (memory mode): approve `bundle`, tune commitment `from` on it, evaluate and publish the tuned model;
   * `probe` (the red-team family's held-out split) is scored on the parent and on the tuned model. */
  tune?(from: string, bundle: string, params: TuneSettings, backend: BackendName, probe: readonly SuiteItem[]): Promise<TuneOutcome>
  /** tune-v1 §3.1 at this site, from its own store: result → commitment → tuning record → bundles (memory mode). */
  verifyLineage?(result: string): Promise<boolean>
  /** Ends a child process (no-op in memory). */
  dispose(): Promise<void>
}
