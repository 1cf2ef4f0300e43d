/**
 * A real running node for the dashboard's tests and bench/ui.ts: a testbed federation of `sites` nations, the first
 * one started with startSiteNode (libp2p on 127.0.0.1, level on disk, its local API with the dashboard), holding
 * every site's certificate and `results` BenchmarkResults admitted through its door. `tamper()` writes one forged
 * envelope straight into the store (as a rewritten disk would), bypassing the door.
 */
import '../../../node/polyfill.ts'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { decodeRecord, recordId } from '../../../protocol/index.ts'
import { benchmarkResult, createTestbed } from '../../../node/net/testbed.ts'
import type { Testbed } from '../../../node/net/testbed.ts'
import { startSiteNode } from '../../../node/site-node.ts'
import type { SiteNode } from '../../../node/site-node.ts'
import { readApiToken } from '../../../node/site/dir.ts'

export interface Dashboard {
  node: SiteNode
  bed: Testbed
  /** http://127.0.0.1:PORT */
  url: string
  token: string
  /** A fresh one-time login URL, minted as `aip ui` does. */
  loginUrl(): Promise<string>
  /** Stores a copy of a stored result with one signature byte flipped; returns its ID. */
  tamper(): Promise<string>
  stop(): Promise<void>
}

export async function startDashboard(sites: number, results: number): Promise<Dashboard> {
  const work = await mkdtemp(join(tmpdir(), 'aip-ui-'))
  const now = Date.now() - 10_000
  const bed = await createTestbed(work, sites, now)
  const node = await startSiteNode(bed.sites[0].dir, { listen: ['/ip4/127.0.0.1/tcp/0'], bootstrap: [], log: () => {}, sync: false })
  const admit = async (bytes: Uint8Array): Promise<void> => {
    const o = await node.records.admit(bytes, { via: 'api' })
    if (o.action !== 'accept') throw new Error(`fixture record refused: ${o.code} ${o.message ?? ''}`)
  }
  for (const s of bed.sites.slice(1)) await admit(s.certificate.bytes)
  for (let i = 0; i < results; i++) {
    const s = bed.sites[i % sites]
    await admit(benchmarkResult(s.key, i, now + i).bytes)
  }
  const url = node.api!.url
  const token = await readApiToken(bed.sites[0].dir)
  return {
    node, bed, url, token,
    async loginUrl() {
      const r = await fetch(`${url}/ui/login-token`, { method: 'POST', headers: { authorization: `Bearer ${token}` } })
      return ((await r.json()) as { url: string }).url
    },
    async tamper() {
      const good = benchmarkResult(bed.sites[1 % sites].key, results + 1, now)
      const bytes = Uint8Array.from(good.bytes)
      bytes[bytes.length - 10] ^= 0x01 // inside the signature
      const id = recordId(bytes)
      const d = decodeRecord(good.bytes).record!
      await node.store.put({ id, bytes, type: d.type, signer: d.signer, created: d.created, body: d.body })
      return id
    },
    async stop() {
      await node.stop()
      await rm(work, { recursive: true, force: true })
    },
  }
}
