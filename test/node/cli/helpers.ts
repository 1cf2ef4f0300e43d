/** Runs the real `aip` binary in a child process (asynchronously, so an API served by the test process can answer). */
import { execFile } from 'node:child_process'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

const AIP = new URL('../../../bin/aip.js', import.meta.url).pathname

export interface Run {
  status: number
  stdout: string
  stderr: string
}

export function aip(...args: string[]): Promise<Run> {
  return new Promise((resolve) => {
    execFile(process.execPath, [AIP, ...args], { encoding: 'utf8', maxBuffer: 16 << 20, env: { ...process.env, AIP_DIR: '' } }, (err, stdout, stderr) => {
      const status = err ? (typeof err.code === 'number' ? err.code : 1) : 0
      resolve({ status, stdout, stderr })
    })
  })
}

/** Runs aip and parses its stdout as one JSON object; fails with the output when the exit code is not `expect`. */
export async function aipJson<T = Record<string, unknown>>(expect: number, ...args: string[]): Promise<T> {
  const r = await aip(...args)
  if (r.status !== expect) throw new Error(`aip ${args.join(' ')} exited ${r.status}, expected ${expect}\n${r.stdout}\n${r.stderr}`)
  return JSON.parse(r.stdout) as T
}

/** Parses JSON-lines output. */
export function lines<T = Record<string, unknown>>(stdout: string): T[] {
  return stdout.trim().split('\n').filter((l) => l !== '').map((l) => JSON.parse(l) as T)
}

export async function withTmp(fn: (dir: string) => Promise<void>): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'aip-cli-'))
  try {
    await fn(dir)
  } finally {
    await rm(dir, { recursive: true, force: true })
  }
}
