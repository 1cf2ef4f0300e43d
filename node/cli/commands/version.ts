import type { Command } from '../command.ts'
import { readFileSync } from 'node:fs'

const command: Command = {
  summary: 'Print the aip version and runtime',
  usage: 'Usage: aip version [--json]',
  async run(argv) {
    const pkg = JSON.parse(readFileSync(new URL('../../../package.json', import.meta.url), 'utf8')) as { version: string }
    const info = { aip: pkg.version, node: process.versions.node, protocol: 'AIP/1' }
    console.log(argv.includes('--json') ? JSON.stringify(info) : `aip ${info.aip} (node ${info.node}, ${info.protocol})`)
    return 0
  },
}
export default command
