/**
 * The egress guard of a production site (specs/alignment-v1.md §6): on by default in `aip start`. It indexes the
 * site's model weight files and blocks any plaintext send that carries a window of them, before Noise encrypts it:
 * the write is refused, the connection closed, the event logged (`egress_blocked`) and counted
 * (`aip_egress_blocked_total`). config.json `egress: { guard: false }` or `aip start --no-egress-guard` turns it off.
 */
import { stat } from 'node:fs/promises'
import { dirname, basename, isAbsolute, join } from 'node:path'
import { readFile } from 'node:fs/promises'
import { Counter } from 'prom-client'
import type { Registry } from 'prom-client'
import { loadWeightFiles } from './load.ts'
import { EgressMonitor } from './monitor.ts'
import type { EgressEvent } from './monitor.ts'
import { WeightIndex } from './weight-index.ts'
import type { WeightFile } from './weight-index.ts'
import { EGRESS_GUARD_MAX_WINDOWS } from './constants.ts'

export interface EgressSettings {
  /** Whether the guard runs (default true). */
  guard: boolean
  /** Model directories or weight files to protect (relative paths are taken from the site directory). */
  weights: string[]
}

/** Reads `egress` from a site's config: `{ guard?: boolean, weights?: string[] }`, defaults guard on, `DIR/models`. */
export function egressSettings(siteDir: string, config: { egress?: unknown }): EgressSettings {
  const e = (config.egress ?? {}) as { guard?: unknown; weights?: unknown }
  if (e.guard !== undefined && typeof e.guard !== 'boolean') throw new Error('config.json: egress.guard must be true or false')
  if (e.weights !== undefined && !(Array.isArray(e.weights) && e.weights.every((w) => typeof w === 'string'))) throw new Error('config.json: egress.weights must be a list of paths')
  const weights = (e.weights as string[] | undefined) ?? ['models']
  return { guard: e.guard ?? true, weights: weights.map((w) => isAbsolute(w) ? w : join(siteDir, w)) }
}

async function filesOf(path: string): Promise<WeightFile[]> {
  const s = await stat(path).catch(() => undefined)
  if (s === undefined) return []
  if (s.isDirectory()) return loadWeightFiles(path)
  return s.isFile() ? [{ name: join(basename(dirname(path)), basename(path)), bytes: new Uint8Array(await readFile(path)) }] : []
}

export interface GuardStatus {
  on: boolean
  files: number
  bytes: number
  stride: number
  blocked: number
  missing: string[]
}

export class EgressGuard {
  blocked = 0
  private constructor(readonly monitor: EgressMonitor | undefined, private readonly index: WeightIndex | undefined,
    private readonly files: number, private readonly missing: string[]) {}

  /** Indexes the weights (once, at start) and wires the counter and the log. */
  static async start(settings: EgressSettings, registry: Registry | undefined, log: (event: string, fields: Record<string, unknown>) => void): Promise<EgressGuard> {
    if (!settings.guard) return new EgressGuard(undefined, undefined, 0, [])
    const files: WeightFile[] = []
    const missing: string[] = []
    for (const p of settings.weights) {
      const f = await filesOf(p)
      if (f.length === 0) missing.push(p)
      files.push(...f)
    }
    const index = files.length === 0 ? undefined : new WeightIndex(files, { maxWindows: EGRESS_GUARD_MAX_WINDOWS })
    const counter = registry === undefined ? undefined : new Counter({ name: 'aip_egress_blocked_total', help: 'Sends refused because they carried weight bytes', registers: [registry] })
    const ref: { guard?: EgressGuard } = {}
    const onEvent = (e: EgressEvent): void => {
      if (!e.blocked || ref.guard === undefined) return
      ref.guard.blocked++
      counter?.inc()
      log('egress_blocked', { peer: e.peer, bytes: e.hit.length, file: e.hit.weights.file, offset: e.hit.weights.offset })
    }
    const guard = ref.guard = new EgressGuard(new EgressMonitor({ index, block: true, onEvent }), index, files.length, missing)
    log('egress_guard', { on: true, files: files.length, bytes: index?.bytes ?? 0, stride: index?.stride ?? 0, missing })
    return guard
  }

  /** The wrapper for the Noise encrypter (node/net/host.ts `hooks.wrapEncrypter`); identity when the guard is off. */
  wrap<C, E>(factory: (components: C) => E): (components: C) => E {
    return this.monitor === undefined ? factory : (this.monitor.wrap(factory as never) as never)
  }

  status(): GuardStatus {
    return { on: this.monitor !== undefined, files: this.files, bytes: this.index?.bytes ?? 0, stride: this.index?.stride ?? 0, blocked: this.blocked, missing: this.missing }
  }
}
