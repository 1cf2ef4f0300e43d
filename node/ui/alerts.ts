/**
 * The dashboard's alert list (node/ui/README.md rule 7): wraps the node's log so that every event carrying an `alert`
 * field (trust alerts, audit equivocations, and whatever a later component raises the same way) or logged as a
 * warning or error is also kept in memory, newest last, at most `max` (the oldest is dropped first).
 */
import type { NetLog } from '../net/log.ts'
import { MAX_ALERTS } from './constants.ts'

export interface NodeAlert {
  at: number
  /** The log event's name, e.g. trust_alert, audit_equivocation, patch_disabled. */
  kind: string
  message: string
}

export function alertingLog(sink: NetLog, now: () => number = Date.now, max = MAX_ALERTS): { log: NetLog; alerts(): NodeAlert[] } {
  const list: NodeAlert[] = []
  return {
    log(event, fields) {
      sink(event, fields)
      if (fields === undefined || (fields.alert === undefined && fields.level !== 'warn' && fields.level !== 'error')) return
      const { alert, level: _level, ...rest } = fields
      list.push({ at: now(), kind: event, message: typeof alert === 'string' ? alert : JSON.stringify(rest) })
      if (list.length > max) list.shift()
    },
    alerts: () => [...list],
  }
}
