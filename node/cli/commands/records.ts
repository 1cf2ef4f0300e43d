import { decodeRecord, validateRecord } from '../../../protocol/index.ts'
import type { Command } from '../command.ts'
import { UsageError, wantsHelp } from '../command.ts'
import { hexKey, output, parse, siteDir } from '../args.ts'
import { openRecords, openStore } from '../../records/access.ts'
import { isoTime, toJson } from '../render.ts'
import type { ListQuery } from '../../store/store.ts'
import { splitSequence } from '../../records/sequence.ts'
import { readSequenceFile } from '../ingest-file.ts'
import { publishSigned, recordLink, signRecord } from '../sign.ts'
import { openSite } from '../../site/dir.ts'

const usage = `Usage: aip records list   --dir DIR [--type T] [--signer HEX] [--suite ID] [--model ID] [--limit N] [--after ID] [--json]
       aip records show   --dir DIR ID [--json]
       aip records verify --dir DIR (ID | --file FILE) [--json]
       aip records retract --dir DIR ID [--reason TEXT] [--out FILE] [--json]
       aip records check  --dir DIR [--json]

list    records in the site's store, oldest first (--json: one JSON object per line)
show    one record: type, signer, created time and body
verify  validates a stored record, or every record of FILE (a CBOR sequence), against this site's federation state
        now; exit 0 when all are valid, 1 otherwise. Goes through the running node's API when \`aip start\` runs.
retract withdraws one of this site's own records (a wrong result, an erasure request): a Retraction signed by the
        site key. Every site that accepts it deletes the record and keeps a tombstone so sync never fetches it again.
check   verifies the store itself (every record hashes to its ID, every index entry matches a record and vice
        versa); exit 0 when sound. Needs the store: stop the node first.`

const RECORD_ID = /^b[a-z2-7]{8,120}$/

function recordIdArg(id: string | undefined): string {
  if (id === undefined || !RECORD_ID.test(id)) throw new UsageError(`a record ID (bafkrei…) is required\n\n${usage}`)
  return id
}

async function list(argv: string[]): Promise<number> {
  const { values } = parse(argv, {
    dir: { type: 'string' }, json: { type: 'boolean' }, type: { type: 'string' }, signer: { type: 'string' },
    suite: { type: 'string' }, model: { type: 'string' }, limit: { type: 'string' }, after: { type: 'string' },
  }, usage)
  const q: ListQuery = {}
  if (values.type !== undefined) q.type = values.type
  if (values.signer !== undefined) q.signer = hexKey(values.signer, '--signer')
  if (values.suite !== undefined) q.suite = recordIdArg(values.suite)
  if (values.model !== undefined) q.model = recordIdArg(values.model)
  if (values.after !== undefined) q.after = recordIdArg(values.after)
  if (values.limit !== undefined) {
    const n = Number(values.limit)
    if (!Number.isInteger(n) || n < 1) throw new UsageError('--limit must be a positive integer')
    q.limit = n
  }
  const access = await openRecords(siteDir(values.dir, usage))
  try {
    for await (const r of access.list(q)) {
      console.log(values.json ? JSON.stringify(r) : `${r.id}  ${r.type.padEnd(20)} ${isoTime(r.created)}  ${r.signer.slice(0, 16)}…`)
    }
  } finally {
    await access.close()
  }
  return 0
}

async function show(argv: string[]): Promise<number> {
  const { values, positionals } = parse(argv, { dir: { type: 'string' }, json: { type: 'boolean' } }, usage)
  const id = recordIdArg(positionals[0])
  const access = await openRecords(siteDir(values.dir, usage))
  let bytes
  try {
    bytes = await access.get(id)
  } finally {
    await access.close()
  }
  if (bytes === undefined) throw new UsageError(`no record ${id} at this site`, 1)
  const o = decodeRecord(bytes)
  if (o.action !== 'accept') throw new UsageError(`stored record ${id} does not decode: ${o.code} ${o.message}`, 1)
  const r = o.record
  const info = { id: r.id, type: r.type, signer: Buffer.from(r.signer).toString('hex'), created: r.created, bytes: r.bytes.length, body: toJson(r.body) }
  output(values.json, info, () => [
    `id       ${info.id}`, `type     ${info.type}`, `signer   ${info.signer}`, `created  ${isoTime(info.created)}`,
    `size     ${info.bytes} bytes`, `body     ${JSON.stringify(info.body, null, 2).replace(/\n/g, '\n         ')}`,
  ].join('\n'))
  return 0
}

async function verify(argv: string[]): Promise<number> {
  const { values, positionals } = parse(argv, { dir: { type: 'string' }, json: { type: 'boolean' }, file: { type: 'string' } }, usage)
  const items: { label: string; bytes?: Uint8Array; error?: string; code?: string }[] = []
  if (values.file !== undefined) {
    for (const it of splitSequence(await readSequenceFile(values.file))) {
      items.push('bytes' in it ? { label: `@${it.offset}`, bytes: it.bytes } : { label: `@${it.offset}`, error: it.error, code: it.code })
    }
  }
  const ids = positionals.map(recordIdArg)
  if (items.length === 0 && ids.length === 0) throw new UsageError(`give a record ID or --file FILE\n\n${usage}`)
  const access = await openRecords(siteDir(values.dir, usage))
  try {
    for (const id of ids) {
      const bytes = await access.get(id)
      items.push(bytes ? { label: id, bytes } : { label: id, error: 'not stored at this site' })
    }
    const trust = await access.trust()
    let ok = true
    for (const it of items) {
      const o = it.bytes ? validateRecord(it.bytes, { now: Date.now(), trust }) : { action: 'reject' as const, code: it.code ?? 'undecodable', message: it.error }
      const line = o.action === 'accept' ? { item: it.label, id: o.record.id, action: o.action, code: o.code, type: o.record.type }
        : { item: it.label, action: o.action, code: o.code, message: o.message }
      if (o.action !== 'accept') ok = false
      output(values.json, line, () => `${it.label}: ${o.action} ${o.code}${o.action === 'accept' ? ` (${o.record.type})` : ` — ${o.message}`}`)
    }
    return ok ? 0 : 1
  } finally {
    await access.close()
  }
}

async function retract(argv: string[]): Promise<number> {
  const { values, positionals } = parse(argv, { dir: { type: 'string' }, json: { type: 'boolean' }, reason: { type: 'string' }, out: { type: 'string' } }, usage)
  const id = recordIdArg(positionals[0])
  const access = await openRecords(siteDir(values.dir, usage))
  try {
    const bytes = await access.get(id)
    if (bytes !== undefined) {
      const o = decodeRecord(bytes)
      if (o.action === 'accept' && Buffer.compare(o.record.signer, access.site.key.publicKey) !== 0) {
        throw new UsageError(`${id} was signed by another key: a site can only retract its own records`, 1)
      }
    }
    const body = { target: recordLink(id, 'ID'), reason: values.reason ?? 'retracted by the operator' }
    return await publishSigned(access, signRecord('Retraction', body, access.site.key), { out: values.out, json: values.json, extra: { target: id } })
  } finally {
    await access.close()
  }
}

async function check(argv: string[]): Promise<number> {
  const { values } = parse(argv, { dir: { type: 'string' }, json: { type: 'boolean' } }, usage)
  const site = await openSite(siteDir(values.dir, usage))
  const store = await openStore(site)
  try {
    const r = await store.checkIntegrity()
    output(values.json, r, () => [`${r.records} records, ${r.indexEntries} index entries: ${r.problems.length === 0 ? 'sound' : `${r.problems.length} problems`}`, ...r.problems].join('\n'))
    return r.problems.length === 0 ? 0 : 1
  } finally {
    await store.close()
  }
}

const command: Command = {
  summary: 'List, show, verify and retract the records of a site',
  usage,
  async run(argv) {
    const [sub, ...rest] = argv
    if (sub === undefined || wantsHelp([sub])) { console.log(usage); return sub === undefined ? 2 : 0 }
    if (wantsHelp(rest)) { console.log(usage); return 0 }
    if (sub === 'list') return list(rest)
    if (sub === 'show') return show(rest)
    if (sub === 'verify') return verify(rest)
    if (sub === 'retract') return retract(rest)
    if (sub === 'check') return check(rest)
    throw new UsageError(`unknown subcommand '${sub}'\n\n${usage}`)
  },
}
export default command
