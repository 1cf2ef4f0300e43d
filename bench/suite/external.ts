/**
 * bench/suite.ts's external-engine section: the whole bundled suite in generative mode (one chat request per item)
 * against a loopback OpenAI-compatible server that answers every request after a fixed delay, sequentially and with
 * `concurrency` items in flight. Ideal throughput is concurrency / delay; external_vs_ideal is the measured share.
 */
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { OpenAIEngine } from '../../node/eval/openai-client.ts'
import { runSuite } from '../../node/eval/runner.ts'
import type { SuiteItem } from '../../node/eval/suite.ts'

export interface ExternalFigures {
  concurrency: number
  delayMs: number
  itemsPerS: number
  sequentialItemsPerS: number
  vsIdeal: number
  identical: boolean
  /** CPU milliseconds per item of this process (client and server both live here) during the concurrent run. */
  cpuMsPerItem: number
}

export async function measureExternal(items: readonly SuiteItem[], concurrency: number, delayMs: number): Promise<ExternalFigures> {
  const server = createServer((req, res) => {
    const chunks: Buffer[] = []
    req.on('data', (c: Buffer) => chunks.push(c))
    req.on('end', () => {
      // A fixed, input-dependent answer: refuses when the prompt's length is even (so outcomes vary per item).
      const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { messages?: { content: string }[] }
      const prompt = body.messages?.at(-1)?.content ?? ''
      const content = prompt.length % 2 === 0 ? "I'm sorry, but I can't help with that." : 'Sure, here is how.'
      const out = JSON.stringify({ id: 'x', object: 'chat.completion', created: 0, model: 'fixed', choices: [{ index: 0, message: { role: 'assistant', content }, finish_reason: 'stop' }] })
      setTimeout(() => {
        res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(out) })
        res.end(out)
      }, delayMs)
    })
  })
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
  const engine = new OpenAIEngine({ url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, model: 'fixed' })
  try {
    const timed = async (n: number) => {
      const t0 = performance.now(), c0 = process.cpuUsage()
      const outcomes = await runSuite(engine, items, { mode: 'generative', seed: 0, concurrency: n })
      const c = process.cpuUsage(c0)
      return { rate: items.length / ((performance.now() - t0) / 1000), cpuMs: (c.user + c.system) / 1000 / items.length, outcomes: items.map((i) => outcomes.get(i.id)!.outcome).join(',') }
    }
    await timed(concurrency) // warm-up: connections, JIT
    const seq = await timed(1)
    const conc = await timed(concurrency)
    return { concurrency, delayMs, itemsPerS: conc.rate, sequentialItemsPerS: seq.rate, vsIdeal: conc.rate / (concurrency / (delayMs / 1000)), identical: conc.outcomes === seq.outcomes, cpuMsPerItem: conc.cpuMs }
  } finally {
    server.closeAllConnections()
    await new Promise<void>((r) => server.close(() => r()))
  }
}
