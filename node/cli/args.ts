/** Argument parsing shared by `aip` commands: node:util parseArgs, strict, with errors turned into UsageError. */
import { parseArgs } from 'node:util'
import type { ParseArgsConfig } from 'node:util'
import { connectToNode } from '../api/client.ts'
import type { ApiClient } from '../api/client.ts'
import { UsageError } from './command.ts'

type Options = NonNullable<ParseArgsConfig['options']>

/** Parses argv strictly (unknown flags are errors). `--help` is handled by the caller before. */
export function parse<O extends Options>(argv: string[], options: O, usage: string) {
  try {
    return parseArgs({ args: argv, options, allowPositionals: true, strict: true })
  } catch (err) {
    throw new UsageError(`${(err as Error).message}\n\n${usage}`)
  }
}

/** The site directory: --dir, else $AIP_DIR; a UsageError when neither is given. */
export function siteDir(dir: string | undefined, usage: string): string {
  const d = dir ?? process.env.AIP_DIR
  if (d === undefined || d === '') throw new UsageError(`--dir DIR is required (or set AIP_DIR)\n\n${usage}`)
  return d
}

/** The API client of the node running on `dir`; a UsageError (exit 1) when none runs. */
export async function runningNode(dir: string): Promise<ApiClient> {
  const client = await connectToNode(dir)
  if (client === undefined) throw new UsageError(`no node is running on ${dir} (start one with \`aip start --dir ${dir}\`)`, 1)
  return client
}

export function required(value: string | undefined, flag: string, usage: string): string {
  if (value === undefined || value === '') throw new UsageError(`${flag} is required\n\n${usage}`)
  return value
}

export function hexKey(value: string, flag: string): Uint8Array {
  if (!/^[0-9a-fA-F]{64}$/.test(value)) throw new UsageError(`${flag} must be a 32-byte Ed25519 public key in hex (64 digits)`)
  return Uint8Array.from(Buffer.from(value, 'hex'))
}

/** Prints a result: as one JSON line with --json, else through `human`. */
export function output(json: boolean | undefined, value: unknown, human: () => string): void {
  console.log(json ? JSON.stringify(value) : human())
}

export const hex = (b: Uint8Array) => Buffer.from(b).toString('hex')
