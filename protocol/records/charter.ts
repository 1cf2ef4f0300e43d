/**
 * FederationCharter and CharterApproval (spec §4.1, §4.2). A charter lists the member nations, their root keys and
 * a quorum; a successor links its predecessor and takes effect once a quorum of the predecessor's member roots has
 * approved it (the proposer's own signature counts as one approval). The genesis charter has no predecessor; its ID
 * is pinned in every site's configuration.
 */
import type { CID } from 'multiformats/cid'
import type { CborMap } from '../cbor.ts'
import { MAX_CHARTER_MEMBERS } from '../constants.ts'
import { fields, link, list, malformed, matches, NATION_RE, publicKey, text, uint } from './schema.ts'

export interface CharterMember {
  /** ISO 3166-1 alpha-2 code. */
  nation: string
  /** The nation's root key: issues its site certificates and approves charters. */
  root_key: Uint8Array
}

export interface FederationCharterBody {
  name: string
  members: CharterMember[]
  /** Approvals by the predecessor's member roots a successor needs (this charter's quorum applies to its successor). */
  quorum: number
  /** The charter this one succeeds; null for the genesis charter. */
  predecessor: CID | null
}

export interface CharterApprovalBody {
  charter: CID
}

export function parseFederationCharter(m: CborMap): FederationCharterBody {
  fields(m, 'FederationCharter', ['name', 'members', 'quorum', 'predecessor'])
  const members = list(m.members, 'members', 1, MAX_CHARTER_MEMBERS, (x, n) => {
    const e = fields(x, n, ['nation', 'root_key'])
    return { nation: matches(e.nation, `${n}.nation`, NATION_RE, 'an ISO 3166-1 alpha-2 code'), root_key: publicKey(e.root_key, `${n}.root_key`) }
  })
  const nations = new Set<string>()
  const roots = new Set<string>()
  for (const mem of members) {
    const k = Buffer.from(mem.root_key).toString('hex')
    if (nations.has(mem.nation)) malformed('members', `nation ${mem.nation} listed twice`)
    if (roots.has(k)) malformed('members', 'a root key is listed twice')
    nations.add(mem.nation)
    roots.add(k)
  }
  const quorum = uint(m.quorum, 'quorum', members.length)
  if (quorum < 1) malformed('quorum', 'must be at least 1')
  return { name: text(m.name, 'name'), members, quorum, predecessor: m.predecessor === null ? null : link(m.predecessor, 'predecessor') }
}

export function parseCharterApproval(m: CborMap): CharterApprovalBody {
  fields(m, 'CharterApproval', ['charter'])
  return { charter: link(m.charter, 'charter') }
}
