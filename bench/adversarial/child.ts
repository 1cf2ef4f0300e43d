/** A site in its own OS process (site-process.ts, precompiled like `aip start`), driven over JSON lines. */
import { spawn } from 'node:child_process'
import type { ChildProcess } from 'node:child_process'
import { createInterface } from 'node:readline'
import { fileURLToPath } from 'node:url'
import { compiled } from '../../bin/compiled.js'

export interface Child { proc: ChildProcess; lines: AsyncIterator<string>; ready: { addr: string; fp: string; source: string } }

/** The site program, precompiled like `aip start` (bin/compiled.js): a restart costs no TypeScript loading. */
let siteModule: string | undefined

/**
 * Starts the site at `dir` (dialling `bootstrap` if given, with `options` such as signerLimits); `onAck` gets each
 * record id it stores durably and when (wall-clock ms: performance.timeOrigin + performance.now() in the child).
 */
export async function startChild(dir: string, bootstrap: string, onAck: (id: string, at: number) => void, options: object = {}): Promise<Child> {
  siteModule ??= fileURLToPath(await compiled('bench/adversarial/site-process.ts', 'bench-adversarial-site'))
  const proc = spawn(process.execPath, ['--expose-gc', siteModule, dir, bootstrap, JSON.stringify(options)], { stdio: ['pipe', 'pipe', 'inherit'] })
  const replies: string[] = []
  const waiters: ((s: string) => void)[] = []
  createInterface({ input: proc.stdout! }).on('line', (line) => {
    const m = JSON.parse(line) as { acked?: string; at?: number }
    if (m.acked !== undefined) return onAck(m.acked, m.at ?? Number.NaN)
    const w = waiters.shift()
    if (w) w(line)
    else replies.push(line)
  })
  const lines: AsyncIterator<string> = {
    next: () => new Promise((resolve) => {
      const r = replies.shift()
      if (r !== undefined) resolve({ value: r, done: false })
      else waiters.push((value) => resolve({ value, done: false }))
    }),
  }
  const ready = JSON.parse((await lines.next()).value as string) as Child['ready']
  return { proc, lines, ready }
}

/** Sends a command line and returns the next reply. */
export async function ask(c: Child, cmd: string): Promise<Record<string, unknown>> {
  c.proc.stdin!.write(`${cmd}\n`)
  return JSON.parse((await c.lines.next()).value as string) as Record<string, unknown>
}

/** SIGKILL, then wait until the process is gone (its store lock released). */
export async function kill9(c: Child): Promise<void> {
  if (c.proc.exitCode !== null || c.proc.signalCode !== null) return
  const gone = new Promise((r) => c.proc.once('exit', r))
  c.proc.kill('SIGKILL')
  await gone
}
