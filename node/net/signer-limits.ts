/**
 * Per-signer rate limit and storage quota (specs/network-v1.md §7). Applied after a record has validated, so every
 * signer tracked here holds a valid certificate: the maps are bounded by the federation's size, not by an attacker.
 */
import { SIGNER_BURST, SIGNER_QUOTA_BYTES, SIGNER_QUOTA_RECORDS, SIGNER_RATE_PER_S } from './constants.ts'

export interface SignerLimitsConfig {
  ratePerS: number
  burst: number
  quotaRecords: number
  quotaBytes: number
}

export const DEFAULT_SIGNER_LIMITS: SignerLimitsConfig = {
  ratePerS: SIGNER_RATE_PER_S, burst: SIGNER_BURST, quotaRecords: SIGNER_QUOTA_RECORDS, quotaBytes: SIGNER_QUOTA_BYTES,
}

export type LimitVerdict = 'ok' | 'rate_limited' | 'quota_exceeded'

interface Usage {
  tokens: number
  at: number
  records: number
  bytes: number
}

export class SignerLimits {
  private readonly usage = new Map<string, Usage>()
  constructor(private readonly cfg: SignerLimitsConfig = DEFAULT_SIGNER_LIMITS) {}

  /** Seeds the stored totals of a signer (from the store at start-up). */
  seed(signer: string, records: number, bytes: number): void {
    const u = this.get(signer, 0)
    u.records = records
    u.bytes = bytes
  }

  /** Charges one record of `size` bytes to `signer` at `now`, or says which limit it exceeds (charging nothing). */
  charge(signer: string, size: number, now: number): LimitVerdict {
    const u = this.get(signer, now)
    u.tokens = Math.min(this.cfg.burst, u.tokens + ((now - u.at) * this.cfg.ratePerS) / 1000)
    u.at = now
    if (u.records + 1 > this.cfg.quotaRecords || u.bytes + size > this.cfg.quotaBytes) return 'quota_exceeded'
    if (u.tokens < 1) return 'rate_limited'
    u.tokens -= 1
    u.records += 1
    u.bytes += size
    return 'ok'
  }

  /**
   * network-v1 §7 step 3a: whether `signer` is already over a limit at `now`, without charging or tracking anything
   * (the key comes from an envelope not yet verified: an unknown key is never added, so this cannot grow the map).
   */
  peek(signer: string, size: number, now: number): LimitVerdict {
    const u = this.usage.get(signer)
    if (u === undefined) return 'ok'
    if (u.records + 1 > this.cfg.quotaRecords || u.bytes + size > this.cfg.quotaBytes) return 'quota_exceeded'
    const tokens = Math.min(this.cfg.burst, u.tokens + ((now - u.at) * this.cfg.ratePerS) / 1000)
    return tokens < 1 ? 'rate_limited' : 'ok'
  }

  /** Gives back a charge whose record was not stored after all (a duplicate found at commit time). */
  refund(signer: string, size: number): void {
    const u = this.usage.get(signer)
    if (u === undefined) return
    u.records = Math.max(0, u.records - 1)
    u.bytes = Math.max(0, u.bytes - size)
  }

  private get(signer: string, now: number): Usage {
    let u = this.usage.get(signer)
    if (u === undefined) {
      u = { tokens: this.cfg.burst, at: now, records: 0, bytes: 0 }
      this.usage.set(signer, u)
    }
    return u
  }
}
