import { open } from 'node:fs/promises'
import type { Command } from '../command.ts'
import { UsageError, wantsHelp } from '../command.ts'
import { hexKey, parse, siteDir } from '../args.ts'
import { openRecords } from '../../records/access.ts'
import { broadcastRefusal, decodeRecord } from '../../../protocol/index.ts'
import type { ListQuery } from '../../store/store.ts'

const usage = `Usage: aip export --dir DIR [--type T]... [--signer HEX] [--suite ID] [--model ID] [--id ID]... [--out FILE]
                  [--include-restricted] [--json]

Writes the site's records as an RFC 8742 CBOR sequence (the envelopes back to back), oldest first, to FILE or to
stdout. Filters combine; --type may be given several times. \`aip import\` reads the result. --json prints a summary
({records, bytes, out, withheld}) on stdout (requires --out). Alignment chunks labelled TLP:AMBER, TLP:AMBER+STRICT
or TLP:RED, or still under embargo, are withheld (specs/alignment-v1.md §2: they travel only to their audience, by
/aip/share/1.0.0) unless --include-restricted says the file stays with this site's operator.`

const RECORD_ID = /^b[a-z2-7]{8,120}$/

const command: Command = {
  summary: 'Export records as an RFC 8742 CBOR sequence',
  usage,
  async run(argv) {
    if (wantsHelp(argv)) { console.log(usage); return 0 }
    const { values, positionals } = parse(argv, {
      dir: { type: 'string' }, json: { type: 'boolean' }, out: { type: 'string' }, type: { type: 'string', multiple: true },
      signer: { type: 'string' }, suite: { type: 'string' }, model: { type: 'string' }, id: { type: 'string', multiple: true },
      'include-restricted': { type: 'boolean' },
    }, usage)
    if (positionals.length > 0) throw new UsageError(`unexpected argument '${positionals[0]}'\n\n${usage}`)
    if (values.json && values.out === undefined) throw new UsageError('--json needs --out FILE (stdout carries the records)')
    for (const v of [values.suite, values.model, ...(values.id ?? [])]) {
      if (v !== undefined && !RECORD_ID.test(v)) throw new UsageError(`'${v}' is not a record ID`)
    }
    const base: ListQuery = {}
    if (values.signer !== undefined) base.signer = hexKey(values.signer, '--signer')
    if (values.suite !== undefined) base.suite = values.suite
    if (values.model !== undefined) base.model = values.model
    const access = await openRecords(siteDir(values.dir, usage))
    const sink = values.out === undefined ? undefined : await open(values.out, 'w')
    let records = 0
    let bytes = 0
    let withheld = 0
    const now = Date.now()
    const write = async (b: Uint8Array) => {
      // alignment-v1 §2: restricted and embargoed chunks leave only by share, unless the operator keeps the file
      if (!values['include-restricted']) {
        const o = decodeRecord(b)
        if (o.action === 'accept' && broadcastRefusal(o.record.type, o.record.body, now) !== undefined) {
          withheld++
          return
        }
      }
      if (sink) await sink.write(b)
      else await new Promise<void>((resolve, reject) => process.stdout.write(b, (e) => (e ? reject(e) : resolve())))
      records++
      bytes += b.length
    }
    try {
      if (values.id) {
        for (const id of values.id) {
          const b = await access.get(id)
          if (b === undefined) throw new UsageError(`no record ${id} at this site`, 1)
          await write(b)
        }
      } else {
        for (const type of values.type ?? [undefined]) {
          for await (const info of access.list(type === undefined ? base : { ...base, type })) {
            const b = await access.get(info.id)
            if (b !== undefined) await write(b)
          }
        }
      }
    } finally {
      await sink?.close()
      await access.close()
    }
    if (values.json) console.log(JSON.stringify({ records, bytes, out: values.out, withheld }))
    else if (sink) console.error(`exported ${records} records (${bytes} bytes) to ${values.out}${withheld > 0 ? `; ${withheld} restricted or embargoed alignment chunks withheld (--include-restricted)` : ''}`)
    return 0
  },
}
export default command
