/**
 * C2SP tlog-checkpoint note text (specs/audit-v1.md §3.2): origin, tree size, base64 root hash, optional extension
 * lines, each ending in a newline. AIP writes no extension lines and reads at most MAX_CHECKPOINT_EXTENSIONS.
 */
import { HASH_BYTES, MAX_CHECKPOINT_EXTENSIONS, MAX_TREE_SIZE } from './constants.ts'
import { AuditError } from './errors.ts'
import { checkName, decodeBase64 } from './note.ts'

export interface Checkpoint {
  origin: string
  size: number
  /** RFC 9162 root hash of the tree of `size` leaves (32 bytes). */
  root: Uint8Array
  extensions: string[]
}

/** §3.2: the checkpoint body, e.g. "aip-audit/CH/0123456789abcdef\n42\n<base64 root>\n". */
export function formatCheckpoint(c: Checkpoint): string {
  checkName(c.origin)
  if (!Number.isSafeInteger(c.size) || c.size < 0) throw new RangeError('a tree size is a non-negative safe integer')
  if (c.root.length !== HASH_BYTES) throw new RangeError('a root hash is 32 bytes')
  for (const e of c.extensions) if (e.length === 0 || e.includes('\n')) throw new RangeError('an extension line is non-empty')
  return [c.origin, String(c.size), Buffer.from(c.root).toString('base64'), ...c.extensions].join('\n') + '\n'
}

/** Parses a checkpoint body (a note's text). Throws AuditError('malformed_checkpoint'). */
export function parseCheckpoint(text: string): Checkpoint {
  const bad = (why: string) => new AuditError('malformed_checkpoint', why)
  if (!text.endsWith('\n')) throw bad('the checkpoint text ends in a newline')
  const lines = text.slice(0, -1).split('\n')
  if (lines.length < 3) throw bad('a checkpoint has at least three lines')
  if (lines.length > 3 + MAX_CHECKPOINT_EXTENSIONS) throw bad(`more than ${MAX_CHECKPOINT_EXTENSIONS} extension lines`)
  const [origin, sizeText, rootText, ...extensions] = lines as [string, string, string, ...string[]]
  try {
    checkName(origin)
  } catch {
    throw bad('the origin is empty or has a space or a plus')
  }
  if (!/^(0|[1-9][0-9]{0,15})$/.test(sizeText) || Number(sizeText) > MAX_TREE_SIZE) throw bad('the tree size is decimal with no leading zeros, ≤ 2^53 − 1')
  let root: Uint8Array
  try {
    root = decodeBase64(rootText, 'the root hash')
  } catch {
    throw bad('the root hash is not canonical base64')
  }
  if (root.length !== HASH_BYTES) throw bad('the root hash is 32 bytes')
  if (extensions.some((e) => e.length === 0)) throw bad('extension lines are non-empty')
  return { origin, size: Number(sizeText), root, extensions }
}

/** §3.2: the origin (and log key name) of a site's audit log: aip-audit/<NATION>/<first 8 bytes of its key, hex>. */
export function auditOrigin(nation: string, sitePublicKey: Uint8Array): string {
  return `aip-audit/${nation}/${Buffer.from(sitePublicKey.subarray(0, 8)).toString('hex')}`
}

/** §3.3: the cosigner name of a site acting as a witness: aip-witness/<NATION>/<first 8 bytes of its key, hex>. */
export function witnessName(nation: string, sitePublicKey: Uint8Array): string {
  return `aip-witness/${nation}/${Buffer.from(sitePublicKey.subarray(0, 8)).toString('hex')}`
}
