/**
 * `aip init`: a self-sufficient development site (issue 2 §Identities): a site key, a nation root key, a one-member
 * genesis charter signed by that root, and the site's certificate — all stored, so the site's own records validate
 * without any other site.
 */
import { devFederation } from '../../protocol/index.ts'
import type { DecodedRecord } from '../../protocol/index.ts'
import { RecordStore } from '../store/store.ts'
import type { Site } from './dir.ts'
import { checkNation, createSiteDir, defaultConfig, sitePaths } from './dir.ts'
import { newKey } from './keys.ts'

export interface InitOptions {
  /** ISO 3166-1 alpha-2 code. */
  nation: string
  /** ms since the Unix epoch: the records' `created` and the certificate's not_before (default: now). */
  now?: number
}

export interface InitResult {
  site: Site
  charter: DecodedRecord
  certificate: DecodedRecord
  /** Every record written to the new store. */
  records: DecodedRecord[]
}

export async function initSite(dir: string, opts: InitOptions): Promise<InitResult> {
  const nation = checkNation(opts.nation)
  const now = opts.now ?? Date.now()
  const siteKey = await newKey()
  const rootKey = await newKey()
  const fed = devFederation({ nation, rootKey, siteKey, created: now })
  const records = [fed.charter, ...(fed.approval ? [fed.approval] : []), fed.certificate]
  const site = await createSiteDir(dir, defaultConfig(nation, fed.charter.id), siteKey, rootKey)
  const store = await RecordStore.open(sitePaths(site.dir).store)
  try {
    await store.putMany(records)
  } finally {
    await store.close()
  }
  return { site, charter: fed.charter, certificate: fed.certificate, records }
}
