/**
 * `aip` entry point: finds node/cli/commands/NAME.ts for `aip NAME ...` and runs it.
 * Commands are discovered from the directory, so adding one never edits this file.
 */
import '../polyfill.ts'
import { readdirSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import type { Command } from './command.ts'
import { exitQuietlyOnEpipe, runCommand } from './run.ts'

const COMMANDS_DIR = fileURLToPath(new URL('./commands/', import.meta.url))

function commandNames(): string[] {
  return readdirSync(COMMANDS_DIR)
    .filter((f) => f.endsWith('.ts'))
    .map((f) => f.slice(0, -3))
    .sort()
}

async function load(name: string): Promise<Command> {
  const mod = (await import(new URL(`./commands/${name}.ts`, import.meta.url).href)) as { default: Command }
  return mod.default
}

async function topLevelHelp(): Promise<string> {
  const lines = ['Usage: aip <command> [options]', '', 'Commands:']
  for (const name of commandNames()) lines.push(`  ${name.padEnd(12)} ${(await load(name)).summary}`)
  lines.push('', 'Run `aip <command> --help` for a command\'s options.')
  return lines.join('\n')
}

export async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    console.log(await topLevelHelp())
    return name === undefined ? 2 : 0
  }
  if (name === '--version') {
    console.log('aip 0.1.0')
    return 0
  }
  if (!/^[a-z][a-z0-9-]*$/.test(name) || !commandNames().includes(name)) {
    console.error(`aip: unknown command '${name}'\n\n${await topLevelHelp()}`)
    return 2
  }
  return runCommand(name, await load(name), rest)
}

exitQuietlyOnEpipe()

process.exitCode = await main(process.argv.slice(2))
