/**
 * A local multi-site development federation on disk, for tests, simulations and benchmarks: one nation per site,
 * one genesis FederationCharter listing every nation's root key (proposed by the first nation's root), and each
 * site's SiteCertificate issued by its own nation root. Every site directory pins the same genesis charter and
 * stores the charter and its own certificate; the others' certificates arrive through hello (specs/network-v1.md §3).
 * Keys come from fixed seeds so runs are reproducible.
 */
import { createHash } from 'node:crypto'
import { join } from 'node:path'
import { createRecord, link, recordId, ROLES } from '../../protocol/index.ts'
import type { DecodedRecord } from '../../protocol/index.ts'
import { createSiteDir, defaultConfig, sitePaths } from '../site/dir.ts'
import { keyFromSeed } from '../site/keys.ts'
import type { SigningKey } from '../site/signing-key.ts'
import { RecordStore } from '../store/store.ts'

export interface TestbedSite {
  dir: string
  nation: string
  key: SigningKey
  rootKey: SigningKey
  certificate: DecodedRecord
}

export interface Testbed {
  charter: DecodedRecord
  sites: TestbedSite[]
}

/** A deterministic 32-byte seed from a label. */
export function seedOf(label: string): Uint8Array {
  return createHash('sha256').update(`aip-testbed:${label}`).digest()
}

/** Nations used for sites 0..n-1 (ISO 3166-1 alpha-2). */
export const TESTBED_NATIONS = ['CH', 'DE', 'FR', 'IT', 'AT', 'NL', 'SE', 'NO', 'ES', 'PT']

export async function createTestbed(baseDir: string, n: number, now: number, label = 'fed'): Promise<Testbed> {
  if (n < 1 || n > TESTBED_NATIONS.length) throw new RangeError(`1..${TESTBED_NATIONS.length} sites`)
  const nations = TESTBED_NATIONS.slice(0, n)
  const roots = await Promise.all(nations.map((c) => keyFromSeed(seedOf(`${label}:root:${c}`))))
  const keys = await Promise.all(nations.map((c) => keyFromSeed(seedOf(`${label}:site:${c}`))))
  const charter = createRecord('FederationCharter', {
    name: `${label} dev federation`,
    members: nations.map((nation, i) => ({ nation, root_key: roots[i].publicKey })),
    quorum: Math.floor(n / 2) + 1,
    predecessor: null,
  }, roots[0], now)
  const sites: TestbedSite[] = []
  for (let i = 0; i < n; i++) {
    const certificate = createRecord('SiteCertificate', {
      site_key: keys[i].publicKey, nation: nations[i], roles: [...ROLES], not_before: now - 60_000, not_after: now + 365 * 24 * 3600 * 1000,
    }, roots[i], now)
    const dir = join(baseDir, nations[i].toLowerCase())
    const site = await createSiteDir(dir, defaultConfig(nations[i], charter.id), keys[i], roots[i])
    const store = await RecordStore.open(sitePaths(site.dir).store)
    try {
      await store.putMany([charter, certificate])
    } finally {
      await store.close()
    }
    sites.push({ dir: site.dir, nation: nations[i], key: keys[i], rootKey: roots[i], certificate })
  }
  return { charter, sites }
}

/**
 * A realistic signed BenchmarkResult of about 1 KB (eight score rows), number `i` of a run: distinct `seed` and
 * scores per `i`, so every record has its own ID.
 */
export function benchmarkResult(key: SigningKey, i: number, created: number): DecodedRecord {
  const h = (s: string): Uint8Array => createHash('sha256').update(s).digest()
  const categories = ['harmful-refusal', 'benign-compliance', 'jailbreak-roleplay', 'jailbreak-encoding', 'multilingual-de', 'multilingual-fr', 'multilingual-it', 'self-harm']
  return createRecord('BenchmarkResult', {
    suite: link(recordId(h('suite'))),
    model: link(recordId(h('model'))),
    weights_root: h(`weights`),
    engine: { backend: 'aip-kernels-ts', version: '0.1.0', model_name: 'apertus-moe-lasa-tiny' },
    decoding: { mode: 'generative', max_tokens: 256, temperature: '0.0' },
    seed: i,
    item_count: 800,
    scores: categories.map((category, k) => {
      const score = 500_000 + ((i * 7919 + k * 104_729) % 400_000)
      return { category, n: 100, score_ppm: score, ci_low_ppm: score - 40_000, ci_high_ppm: score + 40_000 }
    }),
    overall_ppm: 700_000 + (i % 1000),
    transcript_root: h(`transcript:${i}`),
    method: 'wilson-95',
  }, key, created)
}
