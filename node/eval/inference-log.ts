/**
 * The audit hook every engine shares (specs/audit-v1.md §5.1): an engine with an `InferenceLog` reports each call
 * as one inference entry. Off the hot path: the entry is built after the call returns, and in batch mode (not
 * `eachCall`) the append joins the log's next group commit without being awaited — `flush()` waits for them all.
 */
import type { InferenceAudit, InferenceRecord } from './local-engine.ts'

/** An engine that logs its inferences when an audit log is attached (node/audit/access.ts attachAudit). */
export interface AuditableEngine {
  audit: InferenceAudit | undefined
  flushAudit(): Promise<void>
}

export function isAuditable(engine: object): engine is AuditableEngine {
  return 'audit' in engine && typeof (engine as { flushAudit?: unknown }).flushAudit === 'function'
}

export class InferenceLog implements AuditableEngine {
  audit: InferenceAudit | undefined
  private pending: Promise<unknown>[] = []

  /** One call: awaited when the audit needs each entry durable before the answer leaves (`eachCall`). */
  async logged(r: Omit<InferenceRecord, 'weightsRoot'>): Promise<void> {
    const a = this.audit
    if (a === undefined) return
    const p = a.log({ ...r, weightsRoot: a.weightsRoot })
    if (a.eachCall) await p
    else this.pending.push(p)
  }

  /** Waits until every entry appended so far is durable (rejects if one failed). */
  async flushAudit(): Promise<void> {
    const p = this.pending
    this.pending = []
    await Promise.all(p)
  }
}
