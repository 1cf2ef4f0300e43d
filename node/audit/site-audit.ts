/**
 * A site's audit log with its identity (specs/audit-v1.md §3): the origin `aip-audit/<NATION>/<key prefix>`,
 * checkpoints signed with the site key, the cosignatures witnesses returned, the site's own witness state, and the
 * helpers the node calls to log inferences, records, operator actions and egress events.
 */
import { createHash } from 'node:crypto'
import { join } from 'node:path'
import {
  auditOrigin, ed25519Signer, ed25519Verifier, formatCheckpoint, formatNote, formatVerifierKey, parseCheckpoint, parseNote, signNote, verifyNote,
  witnessName, SIG_TYPE_COSIGNATURE_V1, SIG_TYPE_ED25519,
} from '../../protocol/index.ts'
import type { AuditEntry, Checkpoint, InferenceAttrs, Note, NoteSignature, SigningKey } from '../../protocol/index.ts'
import { AUDIT_DIR } from './constants.ts'
import { contentKey, readAuditConfig } from './config.ts'
import type { AuditConfig } from './config.ts'
import { AuditLog } from './log.ts'
import type { CapturedContent } from './log.ts'
import { Witness } from './witness.ts'

const utf8 = new TextEncoder()

export interface SiteIdentity {
  dir: string
  nation: string
  key: SigningKey
}

/** What an engine call reports for its inference entry (audit-v1 §5.1). */
export interface InferenceEvent {
  operation: InferenceAttrs['gen_ai.operation.name']
  model: string
  weightsRoot: Uint8Array
  caller: string
  inputTokens: number
  outputTokens: number
  finishReasons: string[]
  prompt: string
  output: string
}

export const sha256 = (s: string): Uint8Array => new Uint8Array(createHash('sha256').update(s, 'utf8').digest())

/** audit-v1 §5.1: the entry of one inference (digests of prompt and output, never the text). */
export function inferenceEntry(e: InferenceEvent, time: number, captured: boolean): AuditEntry {
  const entry: AuditEntry = {
    kind: 'inference', time, 'gen_ai.operation.name': e.operation, 'gen_ai.request.model': e.model,
    'gen_ai.usage.input_tokens': e.inputTokens, 'gen_ai.usage.output_tokens': e.outputTokens, 'gen_ai.response.finish_reasons': e.finishReasons,
    'aip.model.weights_root': e.weightsRoot, 'aip.caller': e.caller, 'aip.prompt.sha256': sha256(e.prompt), 'aip.output.sha256': sha256(e.output),
  }
  if (captured) entry['aip.content.captured'] = true
  return entry
}

export class SiteAudit {
  readonly origin: string
  readonly witnessName: string
  readonly witness: Witness

  private constructor(readonly log: AuditLog, readonly site: SiteIdentity, readonly config: AuditConfig, private readonly now: () => number) {
    this.origin = auditOrigin(site.nation, site.key.publicKey)
    this.witnessName = witnessName(site.nation, site.key.publicKey)
    this.witness = new Witness(log, site.key, this.witnessName, now)
  }

  static async open(site: SiteIdentity, opts: { now?: () => number; config?: AuditConfig } = {}): Promise<SiteAudit> {
    const config = opts.config ?? (await readAuditConfig(site.dir))
    const key = config.captureContent ? await contentKey(site.dir) : undefined
    const log = await AuditLog.open(join(site.dir, AUDIT_DIR), { contentKey: key })
    return new SiteAudit(log, site, config, opts.now ?? Date.now)
  }

  /** §3.1: the log's verifier key, `<origin>+<key ID>+<base64(0x01 || key)>`. */
  get verifierKey(): string {
    return formatVerifierKey(this.origin, SIG_TYPE_ED25519, this.site.key.publicKey)
  }

  /** §3.3: this site's verifier key as a witness (type 0x04). */
  get witnessKey(): string {
    return formatVerifierKey(this.witnessName, SIG_TYPE_COSIGNATURE_V1, this.site.key.publicKey)
  }

  append(entry: AuditEntry, content?: CapturedContent): Promise<number> {
    return this.log.append(entry, content)
  }

  /** §5.1: one inference; content is captured only when the operator turned capture on. */
  logInference(e: InferenceEvent): Promise<number> {
    const entry = inferenceEntry(e, this.now(), this.config.captureContent)
    return this.log.append(entry, this.config.captureContent ? { prompt: e.prompt, output: e.output } : undefined)
  }

  logRecord(id: string, type: string, direction: 'published' | 'received' | 'refused', outcome: string): Promise<number> {
    return this.log.append({ kind: 'record', time: this.now(), 'aip.record.id': id, 'aip.record.type': type, 'aip.record.direction': direction, 'aip.record.outcome': outcome })
  }

  logOperator(action: Extract<AuditEntry, { kind: 'operator' }>['aip.operator.action'], subject: string, detail?: string): Promise<number> {
    const e: AuditEntry = { kind: 'operator', time: this.now(), 'aip.operator.action': action, 'aip.operator.subject': subject }
    if (detail !== undefined) e['aip.operator.detail'] = detail
    return this.log.append(e)
  }

  logEgress(event: string, peer: string, detail?: string): Promise<number> {
    const e: AuditEntry = { kind: 'egress', time: this.now(), 'aip.egress.event': event, 'aip.egress.peer': peer }
    if (detail !== undefined) e['aip.egress.detail'] = detail
    return this.log.append(e)
  }

  /**
   * §3.2: signs a checkpoint of the current tree (or returns the latest one, with its cosignatures, when the tree has
   * not grown) and keeps it as the latest.
   */
  async checkpoint(): Promise<Note> {
    const latest = await this.latest()
    const size = this.log.size
    if (latest !== undefined && parseCheckpoint(latest.text).size === size) return latest
    const text = formatCheckpoint({ origin: this.origin, size, root: await this.log.root(size), extensions: [] })
    const note = signNote(text, ed25519Signer(this.origin, this.site.key))
    await this.log.putMeta('checkpoint', utf8.encode(formatNote(note)))
    await this.log.putMeta(`checkpoints/${size.toString(16).padStart(14, '0')}`, utf8.encode(text))
    return note
  }

  /** The latest signed checkpoint with the cosignatures gathered for it, or undefined before the first. */
  async latest(): Promise<Note | undefined> {
    const v = await this.log.getMeta('checkpoint')
    return v === undefined ? undefined : parseNote(v)
  }

  /** The latest checkpoint's body (origin, size, root). */
  async latestCheckpoint(): Promise<Checkpoint | undefined> {
    const n = await this.latest()
    return n === undefined ? undefined : parseCheckpoint(n.text)
  }

  /**
   * Adds cosignatures (signature lines a witness returned) to the latest checkpoint if they are for its text;
   * each must verify with the witness key given (§3.3). Returns how many were added.
   */
  async addCosignatures(text: string, signatures: NoteSignature[], witnessVkey: (s: NoteSignature) => ReturnType<typeof ed25519Verifier> | undefined): Promise<number> {
    const latest = await this.latest()
    if (latest === undefined || latest.text !== text) return 0
    let added = 0
    for (const s of signatures) {
      const v = witnessVkey(s)
      if (v === undefined || latest.signatures.some((x) => x.name === s.name && x.keyId === s.keyId)) continue
      try {
        verifyNote({ text, signatures: [s] }, [v])
      } catch {
        continue
      }
      latest.signatures.push(s)
      added++
    }
    if (added > 0) await this.log.putMeta('checkpoint', utf8.encode(formatNote(latest)))
    return added
  }

  /** Verifies a note as signed by this log (used by tests and the CLI). */
  verifyOwn(note: Note): void {
    verifyNote(note, [ed25519Verifier(this.origin, this.site.key.publicKey)])
  }

  /** audit-v1 §6: prunes captured content older than the retention period. */
  pruneContent(): Promise<number> {
    return this.log.pruneContent(this.now() - this.config.retentionDays * 86_400_000)
  }

  close(): Promise<void> {
    return this.log.close()
  }
}

