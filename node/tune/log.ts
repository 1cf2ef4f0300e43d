/**
 * The site's tuning log (specs/tune-v1.md §7, S3): a hash-chained CBOR sequence of tune, certify, rollback and
 * erasure events at DIR/tune/log.cbor, each also written to the audit log as an operator entry (audit-v1) when it
 * has an operator action. Certification (S3) is an entry signed by the site key.
 */
import { existsSync } from 'node:fs'
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { sign, verifySignature } from '../../protocol/index.ts'
import type { CborMap, SigningKey } from '../../protocol/index.ts'
import { openAudit } from '../audit/access.ts'
import type { RecordAccess } from '../records/access.ts'
import { Chain, readChain } from './ledger.ts'
import type { ChainEntry } from './ledger.ts'

const enc = new TextEncoder()

/** S3: the message a site signs to certify a state. */
export function certifyMessage(weightsRoot: Uint8Array, commitment: string): Uint8Array {
  const tag = enc.encode('aip-certify-v1')
  const id = enc.encode(commitment)
  const out = new Uint8Array(tag.length + 1 + 32 + id.length)
  out.set(tag, 0)
  out.set(weightsRoot, tag.length + 1)
  out.set(id, tag.length + 33)
  return out
}

export class SiteLog {
  private readonly file: string

  constructor(readonly tuneDir: string) {
    this.file = join(tuneDir, 'log.cbor')
  }

  async entries(): Promise<ChainEntry[]> {
    if (!existsSync(this.file)) return []
    return readChain(new Uint8Array(await readFile(this.file))).entries
  }

  /** Appends one event (with `time`), atomically. */
  async append(fields: CborMap): Promise<void> {
    const bytes = existsSync(this.file) ? new Uint8Array(await readFile(this.file)) : new Uint8Array(0)
    const { entries, root } = readChain(bytes)
    const chain = new Chain(root)
    chain.push(fields)
    await mkdir(this.tuneDir, { recursive: true, mode: 0o700 })
    const all = Buffer.concat([...entries.map((e) => e.bytes), ...chain.entries])
    await writeFile(`${this.file}.tmp-${process.pid}`, all, { mode: 0o600 })
    await rename(`${this.file}.tmp-${process.pid}`, this.file)
  }

  async certify(key: SigningKey, commitment: string, weightsRoot: Uint8Array, time: number): Promise<void> {
    await this.append({ kind: 'certify', time, commitment, weights_root: weightsRoot, signer: key.publicKey, signature: sign(key, certifyMessage(weightsRoot, commitment)) })
  }

  /** S3: the commitments this site has certified (signature checked against `siteKey`). */
  async certified(siteKey: Uint8Array): Promise<Set<string>> {
    const out = new Set<string>()
    for (const { map: m } of await this.entries()) {
      if (m.kind !== 'certify' || typeof m.commitment !== 'string' || !(m.weights_root instanceof Uint8Array) || !(m.signature instanceof Uint8Array)) continue
      if (!(m.signer instanceof Uint8Array) || Buffer.compare(m.signer, siteKey) !== 0) continue
      if (verifySignature(siteKey, certifyMessage(m.weights_root, m.commitment), m.signature) === 'ok') out.add(`${m.commitment}`)
    }
    return out
  }
}

/** The operator entry through the access's open log when it has one (a node running in this process), else auditOperator. */
export async function auditOperatorVia(access: RecordAccess, action: 'tuning' | 'rollback' | 'erasure', subject: string, detail: string, time: number): Promise<void> {
  if (access.operator !== undefined) return access.operator(action, subject, detail)
  return auditOperator(access.site.dir, action, subject, detail, time)
}

/** An operator entry in the site's audit log (through the running node's API when there is one: node/audit/access.ts). */
export async function auditOperator(siteDir: string, action: 'tuning' | 'rollback' | 'erasure', subject: string, detail: string, time: number): Promise<void> {
  const audit = await openAudit(siteDir)
  try {
    await audit.append({ kind: 'operator', time, 'aip.operator.action': action, 'aip.operator.subject': subject, 'aip.operator.detail': detail })
  } finally {
    await audit.close()
  }
}
