import { mkdtemp } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Session } from 'node:inspector/promises'
import { benchmarkResult } from './node/net/testbed.ts'
import { generateSigningKey, decodeRecord } from './protocol/index.ts'
import { RecordStore } from './node/index.ts'
const key = generateSigningKey(new Uint8Array(32).fill(1))
const rs = Array.from({ length: 4000 }, (_, i) => { const o = decodeRecord(benchmarkResult(key, i, 1.7e12).bytes); if (o.action !== 'accept') throw new Error(o.code); return o.record })
const dir = await mkdtemp(join(tmpdir(), 'aip-t17-'))
const store = await RecordStore.open(join(dir, 'store'))
const s = new Session(); s.connect(); await s.post('Profiler.enable'); await s.post('Profiler.setSamplingInterval', { interval: 100 }); await s.post('Profiler.start')
const c0 = process.cpuUsage(); let i = 0
await Promise.all(Array.from({ length: 64 }, async () => { while (i < rs.length) await store.put(rs[i++]) }))
const c = process.cpuUsage(c0); console.log('us/rec', (c.user + c.system) / rs.length)
const { profile: p } = await s.post('Profiler.stop') as any
await store.close()
const self = new Map<string, number>(); const byId = new Map(p.nodes.map((n: any) => [n.id, n])); const counts = new Map<number, number>()
p.samples.forEach((x: number, k: number) => counts.set(x, (counts.get(x) ?? 0) + (p.timeDeltas[k] ?? 0)))
let tot = 0; for (const [id, t] of counts) { const n: any = byId.get(id); const kk = n.callFrame.functionName + ' ' + n.callFrame.url.split('/').slice(-2).join('/') + ':' + n.callFrame.lineNumber; self.set(kk, (self.get(kk) ?? 0) + t); tot += t }
;[...self].sort((a, b) => b[1] - a[1]).slice(0, 25).forEach(([k, t]) => console.log((100 * t / tot).toFixed(1).padStart(5), k))
