/** Messages between bench/gossip.ts and its site processes (bench/gossip/site.ts). Records travel as base64. */
export type Cmd =
  | { cmd: 'start', mode: 'aip' | 'baseline', dir: string }
  | { cmd: 'dial', addrs: string[] }
  | { cmd: 'mesh' }
  | { cmd: 'publish', records: string[], rate: number, window: number }
  | { cmd: 'inject', records: string[] }
  | { cmd: 'arrivals', off?: boolean }
  | { cmd: 'has', ids: string[] }
  | { cmd: 'stats' }
  | { cmd: 'sync' }
  | { cmd: 'count' }
  | { cmd: 'stop' }

export type Reply =
  | { ev: 'ready', addr: string, peerId: string, rss: number, verifier: string }
  | { ev: 'dialed' }
  | { ev: 'mesh', subscribers: number, mesh: number, admitted: number }
  | { ev: 'published', ids: string[], times: number[] }
  | { ev: 'injected' }
  | { ev: 'arrivals', arrivals: Array<[string, number]> }
  | { ev: 'has', count: number }
  | { ev: 'stats', bytesSent: number, rssMax: number, cpuMs: number, batches: number, queueMax: number, atPeak: Record<string, number>, batchMs: { p50: number, p99: number, max: number }, redials: number, refused: { arrival: number, turn: number, full: number }, counts: Record<string, number> }
  | { ev: 'synced', fetched: number }
  | { ev: 'count', records: number }
  | { ev: 'stopped' }
  | { ev: 'error', message: string }
