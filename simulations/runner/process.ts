/**
 * Mode "process": one OS process per site, real TCP on 127.0.0.1 (simulations/README.md § Runner). The parent
 * drives each child (site-main.ts) over Node's IPC channel: one request, one reply, matched by id; the child also
 * reports every record its store accepts. Delivery times are the parent's clock at the report (IPC adds well under
 * a millisecond on an idle machine).
 */
import { fork } from 'node:child_process'
import type { ChildProcess } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { TS_EXEC_ARGV } from '../../node/index.ts'
import type { BackendName } from '../../kernels/index.ts'
import type { Edge, Role, SiteSpec } from '../scenario/types.ts'
import type { AttackMaterial, AttackOutcome, AuditView, EvaluationOutcome, LeakPlan, PublishVerdict, SiteHandle } from './handle.ts'
import type { LeakAttempt, SiteAlert } from '../run.ts'

/** A child that does not answer a request within this time is considered lost (evaluations take longer). */
const CHILD_REPLY_TIMEOUT_MS = 120_000
const EVALUATION_TIMEOUT_MS = 900_000

/** What a child needs to rebuild its site (plain data: it crosses the IPC channel). */
export interface ChildInit {
  id: string
  dir: string
  spec: SiteSpec
  seed: number
  syncIntervalMs: number
  neighbours: string[]
  peerIds: Record<string, string>
  edges: Edge[]
  weightsDir?: string
}

export type ChildRequest =
  | { op: 'start'; bootstrap: string[] }
  | { op: 'stop' }
  | { op: 'publish'; bytes: string }
  | { op: 'partition'; groups: string[][] | null }
  | { op: 'admitted' }
  | { op: 'holds'; ids: string[] }
  | { op: 'counts' }
  | { op: 'egress' }
  | { op: 'attack'; role: Role; count: number; victims: string[]; genesis: string[]; label: string; leak?: LeakPlan }
  | { op: 'leaks' }
  | { op: 'violations' }
  | { op: 'evaluate'; backend: BackendName }
  | { op: 'verify'; bytes: string }
  | { op: 'alerts' }

export type ChildMessage =
  | { type: 'reply'; id: number; ok: true; value: unknown; addrs: string[] }
  | { type: 'reply'; id: number; ok: false; error: string; addrs: string[] }
  | { type: 'delivered'; record: string; via: string; from?: string }
  | { type: 'log'; line: string }

export const b64 = (b: Uint8Array): string => Buffer.from(b).toString('base64')
export const unb64 = (s: string): Uint8Array => new Uint8Array(Buffer.from(s, 'base64'))

export class ProcessSite implements SiteHandle {
  readonly id: string
  revoked = false
  readonly held = new Set<string>()
  readonly series: [number, number][] = []
  private child?: ChildProcess
  private running = false
  private addresses: string[] = []
  private next = 1
  private readonly pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void; timer: NodeJS.Timeout }>()
  private lastEgress = { bytesSent: 0, weightBytes: 0 }
  private lastCounts = new Map<string, number>()
  private lastLeaks: LeakAttempt[] = []
  private lastAlerts: SiteAlert[] = []

  constructor(private readonly init: ChildInit & { onDelivered(site: string, record: string, via: string, from?: string): void; log?: (line: string) => void }) {
    this.id = init.id
  }

  get alive(): boolean {
    return this.running
  }

  addrs(): string[] {
    return this.running ? this.addresses : []
  }

  private spawn(): ChildProcess {
    const { onDelivered: _d, log: _l, ...plain } = this.init
    const child = fork(fileURLToPath(new URL('./site-main.ts', import.meta.url)), [], {
      execArgv: [...TS_EXEC_ARGV], stdio: ['ignore', 'ignore', 'inherit', 'ipc'], serialization: 'advanced',
    })
    child.on('message', (m: ChildMessage) => this.onMessage(m))
    child.on('exit', (code) => {
      this.running = false
      this.child = undefined
      for (const [, p] of this.pending) { clearTimeout(p.timer); p.reject(new Error(`${this.id}: site process exited (${code})`)) }
      this.pending.clear()
    })
    child.send({ type: 'init', init: plain })
    return child
  }

  private onMessage(m: ChildMessage): void {
    if (m.type === 'delivered') {
      if (!this.held.has(m.record)) {
        this.held.add(m.record)
        this.init.onDelivered(this.id, m.record, m.via, m.from)
      }
      return
    }
    if (m.type === 'log') { this.init.log?.(m.line); return }
    this.addresses = m.addrs
    const p = this.pending.get(m.id)
    if (p === undefined) return
    this.pending.delete(m.id)
    clearTimeout(p.timer)
    if (m.ok) p.resolve(m.value)
    else p.reject(new Error(`${this.id}: ${m.error}`))
  }

  private call<T>(req: ChildRequest, timeoutMs = CHILD_REPLY_TIMEOUT_MS): Promise<T> {
    const child = this.child
    if (child === undefined) return Promise.reject(new Error(`${this.id}: no site process`))
    const id = this.next++
    return new Promise<T>((resolve, reject) => {
      const timer = setTimeout(() => { this.pending.delete(id); reject(new Error(`${this.id}: no reply to ${req.op} in ${timeoutMs} ms`)) }, timeoutMs)
      this.pending.set(id, { resolve: resolve as (v: unknown) => void, reject, timer })
      child.send({ type: 'request', id, req })
    })
  }

  async start(bootstrap: string[]): Promise<void> {
    this.child ??= this.spawn()
    await this.call({ op: 'start', bootstrap })
    this.running = true
  }

  async stop(): Promise<void> {
    if (!this.running) return
    this.lastEgress = await this.egress()
    this.lastCounts = await this.counts()
    await this.call({ op: 'stop' })
    this.running = false
  }

  publish(bytes: Uint8Array): Promise<PublishVerdict> {
    return this.call({ op: 'publish', bytes: b64(bytes) })
  }

  async partition(groups: string[][] | null): Promise<void> {
    await this.call({ op: 'partition', groups })
  }

  admittedPeers(): Promise<string[]> {
    return this.running ? this.call({ op: 'admitted' }) : Promise.resolve([])
  }

  holds(ids: string[]): Promise<string[]> {
    return this.child === undefined ? Promise.resolve([...this.held].filter((id) => ids.includes(id))) : this.call({ op: 'holds', ids })
  }

  async counts(): Promise<Map<string, number>> {
    if (this.child === undefined) return this.lastCounts
    return new Map(await this.call<[string, number][]>({ op: 'counts' }))
  }

  async egress(): Promise<{ bytesSent: number; weightBytes: number }> {
    return this.child === undefined ? this.lastEgress : this.call({ op: 'egress' })
  }

  attack(role: Role, count: number, m: AttackMaterial): Promise<AttackOutcome> {
    return this.call({ op: 'attack', role, count, victims: m.victims.map(b64), genesis: m.genesis.map(b64), label: m.label, ...(m.leak === undefined ? {} : { leak: m.leak }) })
  }

  async evaluate(backend: BackendName): Promise<EvaluationOutcome> {
    const r = await this.call<{ records: string[]; row: EvaluationOutcome['row'] }>({ op: 'evaluate', backend }, EVALUATION_TIMEOUT_MS)
    return { records: r.records.map(unb64), row: r.row }
  }

  verify(bytes: Uint8Array): Promise<boolean> {
    return this.call({ op: 'verify', bytes: b64(bytes) })
  }

  alerts(): Promise<string[]> {
    return this.child === undefined ? Promise.resolve([]) : this.call({ op: 'alerts' })
  }

  /** Checkpoint events and the audit view reach into the node: mode memory only (scenario/validate.ts refuses them here). */
  auditCheckpoint(): Promise<string | undefined> {
    return Promise.reject(new Error('checkpoint events need mode "memory"'))
  }

  auditView(): Promise<AuditView> {
    return Promise.reject(new Error('the audit view needs mode "memory"'))
  }

  async leakAttempts(): Promise<LeakAttempt[]> {
    if (this.child !== undefined) this.lastLeaks = await this.call<LeakAttempt[]>({ op: 'leaks' })
    return this.lastLeaks
  }

  async violations(): Promise<SiteAlert[]> {
    if (this.child !== undefined) this.lastAlerts = await this.call<SiteAlert[]>({ op: 'violations' })
    return this.lastAlerts
  }

  sample(atMs: number): void {
    this.series.push([Math.round(atMs), this.held.size])
  }

  async dispose(): Promise<void> {
    const child = this.child
    if (child === undefined) return
    await this.stop().catch(() => {})
    await new Promise<void>((resolve) => {
      child.once('exit', () => resolve())
      child.disconnect()
      setTimeout(() => { child.kill('SIGKILL') }, 10_000).unref()
    })
  }
}
