/**
 * `aip audit checkpoint | key | verify | export | prune` — the site's tamper-evident audit log (specs/audit-v1.md).
 */
import { readFile, writeFile } from 'node:fs/promises'
import { formatNote, leafHash, parseEntry } from '../../../protocol/index.ts'
import type { Command } from '../command.ts'
import { UsageError, wantsHelp } from '../command.ts'
import { output, parse, required, siteDir } from '../args.ts'
import { openAudit } from '../../audit/access.ts'
import { dirSource, exportTiles, urlSource, verifyLog, VerifyError } from '../../audit/verify-log.ts'

const usage = `Usage:
  aip audit checkpoint --dir DIR [--sign | --publish]
                                               the latest signed checkpoint (signed note, cosignatures included);
                                               --sign signs one of the current tree first; --publish (running
                                               node) also asks witnesses to cosign it and gossips it (§7.4)
  aip audit key --dir DIR [--witness]          the log's C2SP verifier key <name>+<key ID>+<base64 key>
                                               (--witness: this site's cosignature/v1 key as a witness)
  aip audit verify (--tiles DIR | --url PREFIX [--token T]) --key VKEY [--checkpoint FILE]
                   [--witness NATION=VKEY]... [--quorum K] [--entry I]... [--older FILE] [--quick] [--json]
                                               offline check: log signature, cosignatures (witnessed with K
                                               nations), every entry and tile against the root (--quick: tiles
                                               only), inclusion of entries, consistency with an older checkpoint
  aip audit export --dir DIR --tiles OUTDIR    the tiles, entry bundles and checkpoint of the latest checkpoint
  aip audit export --dir DIR [--from I] [--to J] --out FILE
                                               entries I..J-1 as JSON lines with inclusion proofs (for an inspector)
  aip audit prune --dir DIR                    deletes captured content older than the retention (never the tree)`

function multi(v: string | string[] | undefined): string[] {
  return v === undefined ? [] : Array.isArray(v) ? v : [v]
}

function uint(v: string | undefined, flag: string): number | undefined {
  if (v === undefined) return undefined
  if (!/^(0|[1-9][0-9]{0,15})$/.test(v)) throw new UsageError(`${flag} must be a non-negative integer`)
  return Number(v)
}

const command: Command = {
  summary: 'The tamper-evident audit log: checkpoints, verifier key, offline verification, export',
  usage,
  async run(argv) {
    if (wantsHelp(argv) || argv.length === 0) { console.log(usage); return argv.length === 0 ? 2 : 0 }
    const [sub, ...rest] = argv
    const { values } = parse(rest, {
      dir: { type: 'string' }, sign: { type: 'boolean' }, publish: { type: 'boolean' }, witness: { type: 'string', multiple: true }, tiles: { type: 'string' }, url: { type: 'string' },
      token: { type: 'string' }, key: { type: 'string' }, checkpoint: { type: 'string' }, quorum: { type: 'string' }, entry: { type: 'string', multiple: true },
      older: { type: 'string' }, quick: { type: 'boolean' }, json: { type: 'boolean' }, from: { type: 'string' }, to: { type: 'string' }, out: { type: 'string' },
    }, usage)
    if (sub === 'verify') return verify(values)
    const access = await openAudit(siteDir(values.dir, usage))
    try {
      switch (sub) {
        case 'checkpoint': {
          if (values.publish === true) {
            const published = await access.publish()
            if (published === undefined) throw new UsageError('--publish needs the node running on this directory (aip start)', 1)
            process.stdout.write(formatNote(published))
            return 0
          }
          const note = await access.checkpoint(values.sign === true) ?? await access.checkpoint(true)
          process.stdout.write(formatNote(note!))
          return 0
        }
        case 'key':
          if (values.witness !== undefined) {
            if (access.local === undefined) throw new UsageError('--witness reads the key from the site directory; stop the node or use `aip id`', 1)
            console.log(access.local.witnessKey)
          } else console.log(await access.vkey())
          return 0
        case 'export': {
          if (access.local === undefined) throw new UsageError('export reads the log directly: stop `aip start` first, or verify over --url', 1)
          if (values.tiles !== undefined) {
            const cp = await exportTiles(access.local, values.tiles)
            console.log(`wrote ${cp.size} entries' tiles and the checkpoint to ${values.tiles}`)
            return 0
          }
          const out = required(values.out, '--out', usage)
          const log = access.local.log
          const from = uint(values.from, '--from') ?? 0
          const to = Math.min(uint(values.to, '--to') ?? log.size, log.size)
          if (from > to) throw new UsageError('--from is after --to')
          const note = await access.local.checkpoint()
          const lines: string[] = []
          const entries = await log.entries(from, to)
          for (let i = from; i < to; i++) {
            const data = entries[i - from]!
            lines.push(JSON.stringify({
              index: i, entry: entryJson(data), leaf_hash: Buffer.from(leafHash(data)).toString('hex'), tree_size: log.size,
              inclusion_proof: (await log.inclusionProof(i, log.size)).map((h) => Buffer.from(h).toString('base64')),
            }))
          }
          await writeFile(out, JSON.stringify({ checkpoint: formatNote(note), vkey: access.local.verifierKey }) + '\n' + lines.map((l) => l + '\n').join(''))
          console.log(`wrote ${to - from} entries to ${out}`)
          return 0
        }
        case 'prune': {
          if (access.local === undefined) throw new UsageError('the running node prunes on its checkpoint schedule', 1)
          console.log(`pruned content of ${await access.local.pruneContent()} entries`)
          return 0
        }
        default:
          throw new UsageError(`unknown subcommand '${sub}'\n\n${usage}`)
      }
    } finally {
      await access.close()
    }
  },
}

function entryJson(data: Uint8Array): unknown {
  const e = parseEntry(data) as unknown as Record<string, unknown>
  return Object.fromEntries(Object.entries(e).map(([k, v]) => [k, v instanceof Uint8Array ? Buffer.from(v).toString('hex') : v]))
}

async function verify(values: Record<string, string | boolean | string[] | undefined>): Promise<number> {
  const tiles = values.tiles as string | undefined
  const url = values.url as string | undefined
  if ((tiles === undefined) === (url === undefined)) throw new UsageError(`give one of --tiles DIR or --url PREFIX\n\n${usage}`)
  const src = tiles !== undefined ? dirSource(tiles) : urlSource(url!, values.token as string | undefined)
  const key = required(values.key as string | undefined, '--key', usage)
  const checkpointFile = values.checkpoint as string | undefined
  const checkpoint = checkpointFile !== undefined ? await readFile(checkpointFile, 'utf8') : await src.get('checkpoint').then((b) => (b === undefined ? undefined : Buffer.from(b).toString('utf8')))
  if (checkpoint === undefined) throw new UsageError('no checkpoint: give --checkpoint FILE', 1)
  const witnesses = multi(values.witness as string[] | undefined).map((w) => {
    const m = /^([A-Z]{2})=(.+)$/.exec(w)
    if (m === null) throw new UsageError('--witness is NATION=VKEY, e.g. DE=aip-witness/DE/…+…+…')
    return { nation: m[1]!, vkey: m[2]! }
  })
  const olderFile = values.older as string | undefined
  const t0 = performance.now()
  try {
    const r = await verifyLog(src, {
      checkpoint, logKey: key, witnesses, quorum: uint(values.quorum as string | undefined, '--quorum'), full: values.quick !== true,
      entries: multi(values.entry as string[] | undefined).map((e) => uint(e, '--entry')!), older: olderFile === undefined ? undefined : await readFile(olderFile, 'utf8'),
    })
    const seconds = (performance.now() - t0) / 1000
    output(values.json as boolean | undefined, { ok: true, ...r, seconds }, () => [
      `ok: ${r.origin} size ${r.size} root ${r.root}`,
      `signature ok; cosigned by ${r.cosigners.length ? r.cosigners.join(', ') : 'nobody known'}${r.witnessed === null ? '' : r.witnessed ? ' — witnessed' : ' — NOT witnessed (quorum not met)'}`,
      r.entriesVerified > 0 ? `${r.entriesVerified} entries hash to the root` : 'tiles hash to the root (entries not read: --quick)',
      ...r.inclusion.map((i) => `entry ${i.index} included (leaf ${i.leafHash})`),
      ...(r.consistentWith ? [`consistent with the checkpoint of size ${r.consistentWith.size}`] : []),
      `${seconds.toFixed(2)} s`,
    ].join('\n'))
    return r.witnessed === false ? 3 : 0
  } catch (err) {
    const e = err as { code?: string; message: string }
    if (err instanceof VerifyError || (err instanceof Error && ['AuditError', 'MerkleProofError'].includes(err.name))) {
      output(values.json as boolean | undefined, { ok: false, error: e.code, message: e.message }, () => `FAILED (${e.code}): ${e.message}`)
      return 1
    }
    throw err
  }
}

export default command
