/**
 * Sites in child OS processes (simulations/README.md § Runner): mode "process" runs one site per child over TCP on
 * 127.0.0.1; mode "memory" with `workers` > 1 spreads the sites over that many children, each hosting many sites
 * (site-main.ts) — sites in the same child talk over @libp2p/memory, sites in different children over TCP on
 * 127.0.0.1. The parent drives each child over Node's IPC channel: one request, one reply, matched by id; the child
 * also reports every record a site's store accepts, with the time it did (wall clock, so the parent's own delay in
 * reading IPC does not count).
 */
import { fork } from 'node:child_process'
import type { ChildProcess } from 'node:child_process'
import { createServer } from 'node:net'
import type { Server } from 'node:net'
import { fileURLToPath } from 'node:url'
import { TS_EXEC_ARGV } from '../../node/index.ts'
import type { BackendName } from '../../kernels/index.ts'
import type { Edge, Role, SiteSpec } from '../scenario/types.ts'
import type { AttackMaterial, AttackOutcome, AuditView, EvaluationOutcome, LeakPlan, PublishVerdict, SiteHandle } from './handle.ts'
import type { LeakAttempt, SiteAlert } from '../run.ts'

/** A child that does not answer a request within this time is considered lost (evaluations take longer). */
const CHILD_REPLY_TIMEOUT_MS = 120_000
const EVALUATION_TIMEOUT_MS = 900_000
/** Concurrent admittedPeers() calls of a worker's sites within this window share one IPC round trip. */
const ADMITTED_CACHE_MS = 100

/** What a child needs to rebuild one site (plain data: it crosses the IPC channel). */
export interface ChildInit {
  id: string
  dir: string
  spec: SiteSpec
  seed: number
  syncIntervalMs: number
  /** Multiaddrs the site listens on: its TCP port (reserved by the parent), and /memory/… in a many-site worker. */
  listen: string[]
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
  | { op: 'mesh'; topic: string }

/** Requests about the whole child: every site's admitted peers, the process's resources. */
export type WorkerRequest =
  | { op: 'admitted-all' }
  | { op: 'resources'; reset: boolean }

/** A child's resources (resources op): `reset` starts a new CPU and event-loop-delay window. */
export interface WorkerResources {
  rssMb: number
  maxRssMb: number
  /** CPU ms since the last reset. */
  cpuMs: number
  loopDelayMs: { p50: number; p99: number; max: number }
}

export type ParentMessage =
  | { type: 'init'; init: ChildInit }
  | { type: 'request'; id: number; site: string; req: ChildRequest }
  | { type: 'worker'; id: number; req: WorkerRequest }

export type ChildMessage =
  | { type: 'reply'; id: number; ok: true; value: unknown; addrs: string[] }
  | { type: 'reply'; id: number; ok: false; error: string; addrs: string[] }
  | { type: 'delivered'; site: string; record: string; via: string; from?: string; atEpochMs: number }
  | { type: 'log'; line: string }

/** Now on the wall clock, ms since the epoch with sub-ms precision: comparable across the processes of one machine. */
export const epochMs = (): number => performance.timeOrigin + performance.now()

/**
 * Reserves `n` distinct free TCP ports on 127.0.0.1 (listen on port 0, note the port, close), so every site's
 * address is known before any site starts and sites can start in batches, as in memory mode.
 */
export async function reservePorts(n: number): Promise<number[]> {
  const servers: Server[] = []
  try {
    for (let i = 0; i < n; i++) {
      const srv = createServer()
      servers.push(srv)
      await new Promise<void>((resolve, reject) => { srv.once('error', reject); srv.listen(0, '127.0.0.1', () => resolve()) })
    }
    return servers.map((srv) => (srv.address() as { port: number }).port)
  } finally {
    await Promise.all(servers.map((srv) => new Promise<void>((resolve) => srv.close(() => resolve()))))
  }
}

type Delivered = (site: string, record: string, via: string, from: string | undefined, atEpochMs: number) => void

/** One child process hosting one or more sites. Exits when the parent disconnects it (close) or it is killed. */
export class WorkerProcess {
  private readonly child: ChildProcess
  private alive = true
  private next = 1
  private readonly pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void; timer: NodeJS.Timeout }>()
  /** The sites' addresses as of the last reply about them. */
  readonly addrs = new Map<string, string[]>()
  private admitted?: { at: number; value: Promise<Record<string, string[]>> }

  constructor(readonly name: string, private readonly onDelivered: Delivered, private readonly log?: (line: string) => void) {
    this.child = fork(fileURLToPath(new URL('./site-main.ts', import.meta.url)), [], {
      execArgv: [...TS_EXEC_ARGV], stdio: ['ignore', 'ignore', 'inherit', 'ipc'], serialization: 'advanced',
    })
    this.child.on('message', (m: ChildMessage) => this.onMessage(m))
    this.child.on('exit', (code) => {
      this.alive = false
      for (const [, p] of this.pending) { clearTimeout(p.timer); p.reject(new Error(`${this.name}: process exited (${code})`)) }
      this.pending.clear()
    })
  }

  get running(): boolean {
    return this.alive
  }

  init(init: ChildInit): void {
    this.send({ type: 'init', init })
  }

  private send(m: ParentMessage): void {
    this.child.send(m)
  }

  private onMessage(m: ChildMessage): void {
    if (m.type === 'delivered') { this.onDelivered(m.site, m.record, m.via, m.from, m.atEpochMs); return }
    if (m.type === 'log') { this.log?.(m.line); return }
    const p = this.pending.get(m.id)
    if (p === undefined) return
    this.pending.delete(m.id)
    clearTimeout(p.timer)
    if (m.ok) p.resolve({ value: m.value, addrs: m.addrs })
    else p.reject(new Error(m.error))
  }

  private request<T>(make: (id: number) => ParentMessage, what: string, timeoutMs: number): Promise<{ value: T; addrs: string[] }> {
    if (!this.alive) return Promise.reject(new Error(`${this.name}: no process`))
    const id = this.next++
    return new Promise<{ value: T; addrs: string[] }>((resolve, reject) => {
      const timer = setTimeout(() => { this.pending.delete(id); reject(new Error(`${this.name}: no reply to ${what} in ${timeoutMs} ms`)) }, timeoutMs)
      this.pending.set(id, { resolve: resolve as (v: unknown) => void, reject, timer })
      this.send(make(id))
    })
  }

  /** A request to one of this child's sites; the reply also carries the site's addresses. */
  async call<T>(site: string, req: ChildRequest, timeoutMs = CHILD_REPLY_TIMEOUT_MS): Promise<T> {
    try {
      const r = await this.request<T>((id) => ({ type: 'request', id, site, req }), `${site} ${req.op}`, timeoutMs)
      this.addrs.set(site, r.addrs)
      return r.value
    } catch (err) {
      throw new Error(`${site}: ${(err as Error).message}`, { cause: err })
    }
  }

  async worker<T>(req: WorkerRequest): Promise<T> {
    return (await this.request<T>((id) => ({ type: 'worker', id, req }), req.op, CHILD_REPLY_TIMEOUT_MS)).value
  }

  /** Every site's admitted peers (site ids), one IPC round trip for all the calls within ADMITTED_CACHE_MS. */
  admittedOf(site: string): Promise<string[]> {
    const now = performance.now()
    if (this.admitted === undefined || now - this.admitted.at > ADMITTED_CACHE_MS) this.admitted = { at: now, value: this.worker({ op: 'admitted-all' }) }
    return this.admitted.value.then((all) => all[site] ?? [])
  }

  async close(): Promise<void> {
    if (!this.alive) return
    await new Promise<void>((resolve) => {
      this.child.once('exit', () => resolve())
      this.child.disconnect()
      setTimeout(() => { this.child.kill('SIGKILL') }, 10_000).unref()
    })
  }
}

export const b64 = (b: Uint8Array): string => Buffer.from(b).toString('base64')
export const unb64 = (s: string): Uint8Array => new Uint8Array(Buffer.from(s, 'base64'))

/** A site in a child process (WorkerProcess): what the runner asks of it goes over IPC. */
export class ProcessSite implements SiteHandle {
  readonly id: string
  revoked = false
  readonly held = new Set<string>()
  readonly series: [number, number][] = []
  private running = false
  private disposed = false
  private lastEgress = { bytesSent: 0, weightBytes: 0 }
  private lastCounts = new Map<string, number>()
  private lastLeaks: LeakAttempt[] = []
  private lastAlerts: SiteAlert[] = []

  constructor(readonly worker: WorkerProcess, init: ChildInit) {
    this.id = init.id
    worker.init(init)
  }

  get alive(): boolean {
    return this.running
  }

  addrs(): string[] {
    return this.running ? this.worker.addrs.get(this.id) ?? [] : []
  }

  /** The parent records a delivery once per site and record (the child reports every store). */
  delivered(record: string): boolean {
    if (this.held.has(record)) return false
    this.held.add(record)
    return true
  }

  private get live(): boolean {
    return this.worker.running && !this.disposed
  }

  private call<T>(req: ChildRequest, timeoutMs?: number): Promise<T> {
    return this.worker.call<T>(this.id, req, timeoutMs)
  }

  async start(bootstrap: string[]): Promise<void> {
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
    return this.running ? this.worker.admittedOf(this.id) : Promise.resolve([])
  }

  holds(ids: string[]): Promise<string[]> {
    return !this.live ? Promise.resolve([...this.held].filter((id) => ids.includes(id))) : this.call({ op: 'holds', ids })
  }

  async counts(): Promise<Map<string, number>> {
    if (!this.live) return this.lastCounts
    return new Map(await this.call<[string, number][]>({ op: 'counts' }))
  }

  async egress(): Promise<{ bytesSent: number; weightBytes: number }> {
    return !this.live ? this.lastEgress : this.call({ op: 'egress' })
  }

  async meshPeers(topic: string): Promise<number | undefined> {
    return this.running ? this.call<number | undefined>({ op: 'mesh', topic }) : undefined
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
    return !this.live ? Promise.resolve([]) : this.call({ op: 'alerts' })
  }

  /** Checkpoint events and the audit view reach into the node: one process only (scenario/validate.ts refuses them here). */
  auditCheckpoint(): Promise<string | undefined> {
    return Promise.reject(new Error('checkpoint events need mode "memory" with one worker'))
  }

  auditView(): Promise<AuditView> {
    return Promise.reject(new Error('the audit view needs mode "memory" with one worker'))
  }

  async leakAttempts(): Promise<LeakAttempt[]> {
    if (this.live) this.lastLeaks = await this.call<LeakAttempt[]>({ op: 'leaks' })
    return this.lastLeaks
  }

  async violations(): Promise<SiteAlert[]> {
    if (this.live) this.lastAlerts = await this.call<SiteAlert[]>({ op: 'violations' })
    return this.lastAlerts
  }

  sample(atMs: number): void {
    this.series.push([Math.round(atMs), this.held.size])
  }

  /** Stops the site (its figures kept); the runner closes the worker processes afterwards. */
  async dispose(): Promise<void> {
    if (this.disposed) return
    await this.stop().catch(() => {})
    this.disposed = true
  }
}
