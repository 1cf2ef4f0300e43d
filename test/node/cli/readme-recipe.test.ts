import { test } from 'node:test'
import assert from 'node:assert/strict'
import { execFile } from 'node:child_process'
import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { aipJson, withTmp } from './helpers.ts'

const README = new URL('../../../node/README.md', import.meta.url)
const AIP = new URL('../../../bin/aip.js', import.meta.url).pathname

/** Steps 1–5 of node/README.md's 3-site recipe, verbatim (steps 6–7 start nodes: node-net's tests cover gossip). */
async function recipeSetup(): Promise<string> {
  const md = await readFile(README, 'utf8')
  const block = /## Recipe: a 3-site federation[\s\S]*?```sh\n([\s\S]*?)```/.exec(md)?.[1]
  assert.ok(block, 'the recipe block is in node/README.md')
  const setup = block.split('# 6.')[0]
  assert.match(setup, /aip charter join/)
  return setup
}

test('node/README.md recipe: three site directories form one federation', () => withTmp(async (tmp) => {
  const script = `set -e\naip() { node ${AIP} "$@"; }\n${await recipeSetup()}`
  await new Promise<void>((resolve, reject) => {
    execFile('bash', ['-c', script], { cwd: tmp, encoding: 'utf8' }, (err, stdout, stderr) => (err ? reject(new Error(`${err.message}\n${stdout}\n${stderr}`)) : resolve()))
  })
  const charters = []
  for (const s of ['ch', 'fr', 'de']) {
    const c = await aipJson<{ id: string; members: { nation: string }[] }>(0, 'charter', 'show', '--dir', join(tmp, 'sites', s), '--json')
    charters.push(c.id)
    assert.deepEqual(c.members.map((m) => m.nation), ['CH', 'FR', 'DE'], s)
    // Every site holds a valid certificate for each of the three site keys.
    const ids = await aipJson<{ siteKey: string }>(0, 'id', '--dir', join(tmp, 'sites', s), '--json')
    assert.match(ids.siteKey, /^[0-9a-f]{64}$/)
  }
  assert.equal(new Set(charters).size, 1, 'one charter in effect everywhere')
  const cfg = await aipJson<{ bootstrap: string[]; listen: string[] }>(0, 'config', '--dir', join(tmp, 'sites', 'de'), '--json')
  assert.equal(cfg.bootstrap.length, 2)
  assert.deepEqual(cfg.listen, ['/ip4/127.0.0.1/tcp/4003'])
}))
