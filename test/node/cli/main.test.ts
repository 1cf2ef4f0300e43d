import { test } from 'node:test'
import assert from 'node:assert/strict'
import { spawnSync } from 'node:child_process'

const AIP = new URL('../../../bin/aip.js', import.meta.url).pathname

function aip(...args: string[]) {
  return spawnSync(process.execPath, [AIP, ...args], { encoding: 'utf8' })
}

test('aip --help lists commands and exits 0', () => {
  const r = aip('--help')
  assert.equal(r.status, 0, r.stderr)
  assert.match(r.stdout, /Usage: aip <command>/)
  assert.match(r.stdout, /version/)
})

test('aip with an unknown command exits 2 with a clear message', () => {
  const r = aip('no-such-command')
  assert.equal(r.status, 2)
  assert.match(r.stderr, /unknown command 'no-such-command'/)
})

test('aip version --json reports the package version', () => {
  const r = aip('version', '--json')
  assert.equal(r.status, 0, r.stderr)
  assert.equal(JSON.parse(r.stdout).aip, '0.1.0')
})
