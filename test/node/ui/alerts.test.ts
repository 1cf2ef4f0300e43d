/** The dashboard's alert list (node/ui/alerts.ts): alert-carrying, warning and error events are kept, bounded; the sink sees everything. */
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { alertingLog } from '../../../node/ui/alerts.ts'

test('alertingLog keeps events with an alert or a warn/error level, newest last, at most max; every event still reaches the sink', () => {
  const seen: string[] = []
  let t = 1000
  const a = alertingLog((event) => { seen.push(event) }, () => t++, 3)
  a.log('api_listening', { url: 'http://127.0.0.1:1' })
  a.log('trust_alert', { alert: 'competing successor charters of X' })
  a.log('audit_equivocation', { alert: 'the log aip-audit/DE/00 signed two inconsistent checkpoints', origin: 'aip-audit/DE/00' })
  a.log('patch_disabled', { level: 'warn', patch: 'p', reason: 'self-check failed' })
  assert.deepEqual(seen, ['api_listening', 'trust_alert', 'audit_equivocation', 'patch_disabled'])
  assert.deepEqual(a.alerts(), [
    { at: 1000, kind: 'trust_alert', message: 'competing successor charters of X' },
    { at: 1001, kind: 'audit_equivocation', message: 'the log aip-audit/DE/00 signed two inconsistent checkpoints' },
    { at: 1002, kind: 'patch_disabled', message: '{"patch":"p","reason":"self-check failed"}' },
  ])
  a.log('sync', { level: 'error', line: 'x' })
  assert.equal(a.alerts().length, 3, 'bounded')
  assert.equal(a.alerts()[0]!.kind, 'audit_equivocation', 'the oldest dropped first')
})
