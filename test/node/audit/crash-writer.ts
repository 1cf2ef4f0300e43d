/**
 * Child process for crash.test.ts: appends operator entries to the audit log at argv[2] forever, 32 appends in
 * flight (so batches group-commit), printing `ok INDEX` once each append resolved (durable). The parent SIGKILLs it.
 */
import { AuditLog } from '../../../node/audit/log.ts'

const log = await AuditLog.open(process.argv[2]!)
let n = 0
process.stdout.write('ready\n')
await Promise.all(Array.from({ length: 32 }, async () => {
  while (true) {
    const i = n++
    const index = await log.append({ kind: 'operator', time: 1_767_000_000_000 + i, 'aip.operator.action': 'other', 'aip.operator.subject': `entry ${i} ${'x'.repeat(i % 200)}` })
    process.stdout.write(`ok ${index}\n`)
  }
}))
