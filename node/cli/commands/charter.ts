import type { CharterMember } from '../../../protocol/index.ts'
import type { Command } from '../command.ts'
import { UsageError, wantsHelp } from '../command.ts'
import { hex, hexKey, output, parse, required, siteDir } from '../args.ts'
import { openRecords } from '../../records/access.ts'
import { connectToNode } from '../../api/client.ts'
import { saveConfig, openSite } from '../../site/dir.ts'
import { publishSigned, recordLink, rootKeyOf, signRecord } from '../sign.ts'
import { describe, ingestSequence, readSequenceFile, summary } from '../ingest-file.ts'

const usage = `Usage: aip charter show    --dir DIR [--json]
       aip charter propose --dir DIR [--add CC:ROOTKEYHEX]... [--remove CC]... [--quorum N] [--name NAME] [--out FILE] [--json]
       aip charter approve --dir DIR CHARTER_ID [--out FILE] [--json]
       aip charter join    --dir DIR --genesis CHARTER_ID FILE [--json]

show     the charter in effect at this site: members, quorum, pending successors, alerts
propose  a successor of the charter in effect, signed by DIR's nation root: its members plus --add, minus --remove;
         quorum default: a majority of the new members. It takes effect once a quorum of the CURRENT members' roots
         has approved it (the proposer's signature counts as one approval).
approve  a CharterApproval of CHARTER_ID signed by DIR's nation root
join     points this site at another federation: pins --genesis in config.json and imports FILE (that federation's
         charters, approvals and certificates, from \`aip export\` at a member site). Stop the node first.`

async function show(argv: string[]): Promise<number> {
  const { values } = parse(argv, { dir: { type: 'string' }, json: { type: 'boolean' } }, usage)
  const access = await openRecords(siteDir(values.dir, usage))
  try {
    const trust = await access.trust()
    const cur = trust.currentCharter()
    if (cur === undefined) throw new UsageError(`the genesis charter ${access.site.config.genesisCharter} is not stored at this site; import it`, 1)
    const c = cur.charter
    const info = {
      id: c.id, name: c.body.name, quorum: c.body.quorum, predecessor: c.predecessorId, genesis: trust.genesisCharterId,
      effectiveFrom: Number.isFinite(cur.effectiveFrom) ? cur.effectiveFrom : null,
      members: c.body.members.map((m) => ({ nation: m.nation, rootKey: hex(m.root_key) })),
      successors: trust.successorsOf(c.id), alerts: trust.alerts(),
    }
    output(values.json, info, () => [
      `charter   ${info.id} (${info.name})`, `quorum    ${info.quorum} of ${info.members.length}`,
      ...info.members.map((m) => `member    ${m.nation} ${m.rootKey}`),
      ...info.successors.map((s) => `proposed  ${s} (awaiting approvals)`), ...info.alerts.map((a) => `ALERT     ${a}`),
    ].join('\n'))
    return 0
  } finally {
    await access.close()
  }
}

function parseMember(v: string): CharterMember {
  const m = /^([A-Z]{2}):([0-9a-fA-F]{64})$/.exec(v)
  if (!m) throw new UsageError(`--add: '${v}' must be CC:ROOTKEYHEX (a nation code and a 64-hex-digit root key)`)
  return { nation: m[1], root_key: hexKey(m[2], '--add') }
}

async function propose(argv: string[]): Promise<number> {
  const { values } = parse(argv, {
    dir: { type: 'string' }, json: { type: 'boolean' }, add: { type: 'string', multiple: true }, remove: { type: 'string', multiple: true },
    quorum: { type: 'string' }, name: { type: 'string' }, out: { type: 'string' },
  }, usage)
  const access = await openRecords(siteDir(values.dir, usage))
  try {
    const cur = (await access.trust()).currentCharter()
    if (cur === undefined) throw new UsageError('no charter is in effect at this site (is its genesis charter stored?)', 1)
    const removed = new Set(values.remove ?? [])
    const members = cur.charter.body.members.filter((m) => !removed.has(m.nation))
    for (const m of (values.add ?? []).map(parseMember)) {
      if (members.some((x) => x.nation === m.nation)) throw new UsageError(`--add: ${m.nation} is already a member`)
      members.push(m)
    }
    const quorum = values.quorum === undefined ? Math.floor(members.length / 2) + 1 : Number(values.quorum)
    if (!Number.isInteger(quorum) || quorum < 1 || quorum > members.length) throw new UsageError(`--quorum must be 1..${members.length}`)
    const body = { name: values.name ?? cur.charter.body.name, members, quorum, predecessor: recordLink(cur.charter.id, 'predecessor') }
    const charter = signRecord('FederationCharter', body, await rootKeyOf(access.site))
    return await publishSigned(access, charter, { out: values.out, json: values.json, extra: { predecessor: cur.charter.id, quorum, members: members.length } })
  } finally {
    await access.close()
  }
}

async function approve(argv: string[]): Promise<number> {
  const { values, positionals } = parse(argv, { dir: { type: 'string' }, json: { type: 'boolean' }, out: { type: 'string' } }, usage)
  const target = recordLink(required(positionals[0], 'CHARTER_ID', usage), 'CHARTER_ID')
  const access = await openRecords(siteDir(values.dir, usage))
  try {
    const approval = signRecord('CharterApproval', { charter: target }, await rootKeyOf(access.site))
    return await publishSigned(access, approval, { out: values.out, json: values.json, extra: { charter: target.toString() } })
  } finally {
    await access.close()
  }
}

async function join(argv: string[]): Promise<number> {
  const { values, positionals } = parse(argv, { dir: { type: 'string' }, json: { type: 'boolean' }, genesis: { type: 'string' } }, usage)
  const genesis = recordLink(required(values.genesis, '--genesis', usage), '--genesis').toString()
  const file = await readSequenceFile(required(positionals[0], 'FILE', usage))
  const site = await openSite(siteDir(values.dir, usage))
  if (await connectToNode(site.dir)) throw new UsageError('a node is running on this site: stop it before changing its federation', 1)
  site.config.genesisCharter = genesis
  await saveConfig(site)
  const access = await openRecords(site.dir)
  try {
    const outcomes = await ingestSequence(access, file)
    const trust = await access.trust()
    const charter = trust.currentCharter()?.charter.id ?? null
    const s = summary(outcomes)
    if (values.json) console.log(JSON.stringify({ genesis, charter, summary: s, outcomes }))
    else {
      for (const o of outcomes) console.log(describe(o))
      console.log(`genesis pinned: ${genesis}; charter in effect: ${charter ?? '(none: the genesis charter was not in the file)'}`)
    }
    return charter === null ? 1 : 0
  } finally {
    await access.close()
  }
}

const command: Command = {
  summary: 'Show, propose, approve or join a federation charter',
  usage,
  async run(argv) {
    const [sub, ...rest] = argv
    if (sub === undefined || wantsHelp([sub]) || wantsHelp(rest)) { console.log(usage); return sub === undefined ? 2 : 0 }
    if (sub === 'show') return show(rest)
    if (sub === 'propose') return propose(rest)
    if (sub === 'approve') return approve(rest)
    if (sub === 'join') return join(rest)
    throw new UsageError(`unknown subcommand '${sub}'\n\n${usage}`)
  },
}
export default command
