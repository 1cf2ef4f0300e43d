/**
 * Structured logging for the network layer: one event name plus flat fields. The site node writes each call as
 * one JSON line; tests pass a function that collects events.
 */
export type NetLog = (event: string, fields?: Record<string, unknown>) => void

/** Writes `{"t": ISO time, "event": ..., ...fields}` as one JSON line to stdout. */
export function jsonLineLog(base: Record<string, unknown> = {}): NetLog {
  return (event, fields = {}) => {
    process.stdout.write(JSON.stringify({ t: new Date().toISOString(), event, ...base, ...fields }) + '\n')
  }
}

/** Discards everything. */
export const silentLog: NetLog = () => undefined
