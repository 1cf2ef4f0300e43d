/**
 * SiteCertificate (spec §4.3): a nation's root key certifies a site key for a validity window and a set of roles.
 * The site key is both the site's libp2p PeerId key and its record signer.
 */
import type { CborMap } from '../cbor.ts'
import { MAX_CERTIFICATE_VALIDITY_MS, MAX_ROLES } from '../constants.ts'
import { fields, IDENT_RE, list, malformed, matches, NATION_RE, publicKey, text, uint } from './schema.ts'

/** Roles with a meaning in v1 (spec §4.3); other well-formed role names are carried but grant nothing. */
export const ROLES = ['evaluator', 'curator'] as const
export type Role = (typeof ROLES)[number]

export interface SiteCertificateBody {
  site_key: Uint8Array
  nation: string
  roles: string[]
  /** Validity window [not_before, not_after) in ms since the Unix epoch. */
  not_before: number
  not_after: number
  /** Human-readable site name. */
  name?: string
}

export function parseSiteCertificate(m: CborMap): SiteCertificateBody {
  fields(m, 'SiteCertificate', ['site_key', 'nation', 'roles', 'not_before', 'not_after'], ['name'])
  const roles = list(m.roles, 'roles', 0, MAX_ROLES, (x, n) => matches(x, n, IDENT_RE, 'a lower-case role name', 64))
  if (new Set(roles).size !== roles.length) malformed('roles', 'a role is listed twice')
  const not_before = uint(m.not_before, 'not_before')
  const not_after = uint(m.not_after, 'not_after')
  if (not_after <= not_before) malformed('not_after', 'must be after not_before')
  if (not_after - not_before > MAX_CERTIFICATE_VALIDITY_MS) malformed('not_after', `validity longer than ${MAX_CERTIFICATE_VALIDITY_MS} ms`)
  const body: SiteCertificateBody = {
    site_key: publicKey(m.site_key, 'site_key'),
    nation: matches(m.nation, 'nation', NATION_RE, 'an ISO 3166-1 alpha-2 code'),
    roles,
    not_before,
    not_after,
  }
  if (m.name !== undefined) body.name = text(m.name, 'name')
  return body
}
