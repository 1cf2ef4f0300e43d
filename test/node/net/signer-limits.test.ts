import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { SignerLimits } from '../../../node/net/signer-limits.ts'

describe('per-signer rate and quota (specs/network-v1.md §7)', () => {
  it('allows a burst, then the sustained rate', () => {
    const l = new SignerLimits({ ratePerS: 10, burst: 5, quotaRecords: 1000, quotaBytes: 1e9 })
    for (let i = 0; i < 5; i++) assert.equal(l.charge('a', 100, 0), 'ok')
    assert.equal(l.charge('a', 100, 0), 'rate_limited')
    assert.equal(l.charge('b', 100, 0), 'ok', 'signers are independent')
    assert.equal(l.charge('a', 100, 100), 'ok', '100 ms at 10/s refills one token')
    assert.equal(l.charge('a', 100, 100), 'rate_limited')
  })

  it('enforces the record and byte quotas, and refunds', () => {
    const l = new SignerLimits({ ratePerS: 1e6, burst: 1e6, quotaRecords: 2, quotaBytes: 1000 })
    assert.equal(l.charge('a', 600, 0), 'ok')
    assert.equal(l.charge('a', 600, 0), 'quota_exceeded', 'bytes')
    assert.equal(l.charge('a', 300, 0), 'ok')
    assert.equal(l.charge('a', 1, 0), 'quota_exceeded', 'records')
    l.refund('a', 300)
    assert.equal(l.charge('a', 1, 0), 'ok')
    l.seed('c', 2, 0)
    assert.equal(l.charge('c', 1, 0), 'quota_exceeded', 'seeded from the store')
  })

  it('peek says a signer is over its limit without charging, and never tracks an unknown key (§6 step 2a)', () => {
    const l = new SignerLimits({ ratePerS: 10, burst: 2, quotaRecords: 1000, quotaBytes: 1e9 })
    assert.equal(l.peek('unknown', 100, 0), 'ok')
    assert.equal(l.charge('a', 100, 0), 'ok')
    assert.equal(l.peek('a', 100, 0), 'ok', 'one token left')
    assert.equal(l.charge('a', 100, 0), 'ok')
    assert.equal(l.peek('a', 100, 0), 'rate_limited')
    assert.equal(l.peek('a', 100, 0), 'rate_limited', 'peeking charges nothing')
    assert.equal(l.peek('a', 100, 100), 'ok', 'refilled after 100 ms at 10/s')
  })
})
