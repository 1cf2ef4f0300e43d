/**
 * A self-sufficient development federation (what `aip init` needs, spec §5.6): a nation root, a one-member genesis
 * charter signed by it, and the site's certificate with every v1 role. Pure: keys and time are passed in.
 */
import type { SigningKey } from './keys.ts'
import type { DecodedRecord } from './records/index.ts'
import { createRecord } from './records/index.ts'
import { ROLES } from './records/site-certificate.ts'

/** §5.6: default validity of a development site certificate (ms): one year. */
export const DEV_CERTIFICATE_VALIDITY_MS = 365 * 24 * 3600 * 1000

export interface DevFederation {
  /** The genesis charter: pin `charter.id` in the site's configuration. */
  charter: DecodedRecord<'FederationCharter'>
  /** Present only for successor charters; a genesis charter needs no approval. */
  approval?: DecodedRecord<'CharterApproval'>
  certificate: DecodedRecord<'SiteCertificate'>
}

export function devFederation(opts: { nation: string; rootKey: SigningKey; siteKey: SigningKey; created: number; validForMs?: number; siteName?: string }): DevFederation {
  const charter = createRecord(
    'FederationCharter',
    { name: `dev federation ${opts.nation}`, members: [{ nation: opts.nation, root_key: opts.rootKey.publicKey }], quorum: 1, predecessor: null },
    opts.rootKey,
    opts.created,
  )
  const certificate = createRecord(
    'SiteCertificate',
    {
      site_key: opts.siteKey.publicKey,
      nation: opts.nation,
      roles: [...ROLES],
      not_before: opts.created,
      not_after: opts.created + (opts.validForMs ?? DEV_CERTIFICATE_VALIDITY_MS),
      ...(opts.siteName === undefined ? {} : { name: opts.siteName }),
    },
    opts.rootKey,
    opts.created,
  )
  return { charter, certificate }
}
