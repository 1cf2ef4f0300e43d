/**
 * The smaller faults of issue 11 (10 and 11) at the real entrances: the `aip` command in a child process (bin/aip.js,
 * as an operator runs it) and the local HTTP API of a running site spoken to over raw TCP.
 */
import { execFile, spawn } from 'node:child_process'
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { connect } from 'node:net'
import { readFile, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { createRecord, decodeRecord, encodeCanonical, generateSigningKey, link } from '../../../protocol/index.ts'
import type { BodyOf } from '../../../protocol/index.ts'
import { readApiToken } from '../../../node/index.ts'
import { benchmarkResult, seedOf } from '../../../node/net/testbed.ts'
import type { Attack } from './common.ts'
import { startSite, testbed } from './common.ts'

const AIP = new URL('../../../bin/aip.js', import.meta.url).pathname
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))

interface Run { status: number; stdout: string; stderr: string; timedOut: boolean }
function aip(args: string[], timeoutMs = 60_000, env: Record<string, string | undefined> = { AIP_DIR: '' }): Promise<Run> {
  const childEnv = { ...process.env, ...env }
  for (const k of Object.keys(env)) if (env[k] === undefined) delete childEnv[k]
  return new Promise((resolve) => {
    execFile(process.execPath, [AIP, ...args], { encoding: 'utf8', timeout: timeoutMs, killSignal: 'SIGKILL', maxBuffer: 16 << 20, env: childEnv }, (err, stdout, stderr) => {
      const e = err as (NodeJS.ErrnoException & { killed?: boolean }) | null
      resolve({ status: e ? (typeof e.code === 'number' ? e.code : 1) : 0, stdout, stderr, timedOut: e?.killed === true })
    })
  })
}
const cat = (...parts: Uint8Array[]) => new Uint8Array(Buffer.concat(parts))
const STACK = /\n\s+at .+\(.*:\d+:\d+\)/

/** 10d: a stale node.json whose pid answers EPERM (pid 1) and whose port now belongs to someone else. */
const stalePort: Attack = {
  fault: '10d',
  name: 'CLI sends its API token to whatever holds a stale port',
  async run(work) {
    const bed = await testbed(work, 1, Date.now() - 120_000, 'c10d')
    const dir = bed.sites[0]!.dir
    const seen: string[] = []
    const thief = createServer((req, res) => { seen.push(req.headers.authorization ?? ''); res.writeHead(200, { 'content-type': 'application/json' }).end('{}') })
    await new Promise<void>((r) => thief.listen(0, '127.0.0.1', r))
    const port = (thief.address() as AddressInfo).port
    try {
      await writeFile(join(dir, 'node.json'), JSON.stringify({ pid: 1, api: { host: '127.0.0.1', port }, peerId: 'x', addrs: [], startedAt: Date.now() }))
      await aip(['status', '--dir', dir, '--json'], 30_000)
      const token = await readApiToken(dir)
      const leaked = seen.some((h) => h.includes(token))
      return { succeeded: leaked, detail: `${seen.length} request(s) reached the port's new owner; token leaked: ${leaked}` }
    } finally {
      thief.close()
    }
  },
}

/** 10e: `aip import` of a FIFO whose writer never closes reads until EOF: it never finishes. */
const fifoImport: Attack = {
  fault: '10e',
  name: 'aip import of a FIFO blocks forever',
  async run(work) {
    const bed = await testbed(work, 1, Date.now() - 120_000, 'c10e')
    const fifo = join(work, 'records.fifo')
    await new Promise<void>((res, rej) => execFile('mkfifo', [fifo], (e) => (e ? rej(e) : res())))
    const writer = spawn('sh', ['-c', `exec 3>${fifo}; sleep 30`], { stdio: 'ignore' })
    try {
      const r = await aip(['import', '--dir', bed.sites[0]!.dir, fifo], 8_000)
      return { succeeded: r.timedOut, detail: r.timedOut ? 'still reading after 8 s' : `exit ${r.status}: ${(r.stderr || r.stdout).trim().slice(0, 100)}` }
    } finally {
      writer.kill('SIGKILL')
    }
  },
}

/** 10f: through a running node, one item over the API body limit aborts the whole import (later records lost). */
const importOverLimit: Attack = {
  fault: '10f',
  name: 'one over-limit item aborts an import through a running node',
  async run(work) {
    const now = Date.now()
    const bed = await testbed(work, 1, now - 120_000, 'c10f')
    const site = bed.sites[0]!
    const s = await startSite(site.dir, { api: true })
    try {
      const a = benchmarkResult(site.key, 1, now)
      const b = benchmarkResult(site.key, 2, now)
      const big = encodeCanonical(new Uint8Array(s.node.site.config.limits.apiMaxBodyBytes + 10))
      const file = join(work, 'mixed.cbor')
      await writeFile(file, cat(a.bytes, big, b.bytes))
      const r = await aip(['import', '--dir', site.dir, file, '--json'])
      const hasB = await s.node.store.has(b.id)
      return { succeeded: !hasB || STACK.test(r.stderr), detail: `exit ${r.status}; the record after the big item stored: ${hasB}; ${r.stderr.trim().split('\n')[0]?.slice(0, 80) ?? ''}` }
    } finally {
      await s.node.stop()
    }
  },
}

/** 10g: paging through the API (`next` as the cursor) stops silently when the cursor record is tombstoned. */
const listCursor: Attack = {
  fault: '10g',
  name: 'list() ends early when its cursor is tombstoned',
  async run(work) {
    const now = Date.now()
    const bed = await testbed(work, 1, now - 120_000, 'c10g')
    const site = bed.sites[0]!
    const s = await startSite(site.dir, { api: true })
    try {
      const recs = Array.from({ length: 6 }, (_, i) => benchmarkResult(site.key, i, now + i))
      for (const r of recs) await s.node.publish(r.bytes)
      const auth = { authorization: `Bearer ${await readApiToken(site.dir)}` }
      const get = async (q: string) => (await (await fetch(`${s.node.api!.url}/v1/records?type=BenchmarkResult&${q}`, { headers: auth })).json()) as { records: { id: string }[]; next?: string }
      const page1 = await get('limit=2')
      const last = page1.records[page1.records.length - 1]!.id
      await s.node.publish(createRecord('Retraction', { target: link(last), reason: 'wrong' }, site.key, now + 100).bytes)
      const page2 = page1.next === undefined ? { records: [] } : await get(`after=${encodeURIComponent(page1.next)}`)
      return { succeeded: page2.records.length < 4, detail: `page 1: ${page1.records.length}; after its last record was tombstoned, page 2: ${page2.records.length} of the 4 remaining` }
    } finally {
      await s.node.stop()
    }
  },
}

/**
 * 10h: `aip results verify --file` says "verified" for a result signed by a key nobody certified: the committed
 * evaluation vector's result (every evaluation check passes), re-signed by a fresh key.
 */
const verifyUncertified: Attack = {
  fault: '10h',
  name: 'results verify --file passes an uncertified signer',
  async run(work) {
    const vector = JSON.parse(await readFile(new URL('../../../specs/vectors/evaluation-v1/result.json', import.meta.url), 'utf8')) as { result_cose: string }
    const o = decodeRecord(Uint8Array.from(Buffer.from(vector.result_cose, 'hex')))
    if (o.action !== 'accept') throw new Error('the evaluation vector does not decode')
    const stranger = generateSigningKey(seedOf('c10h:stranger'))
    const file = join(work, 'result.cose')
    await writeFile(file, createRecord('BenchmarkResult', o.record.body as BodyOf<'BenchmarkResult'>, stranger, o.record.created).bytes)
    // without --dir: "no federation or store, only what the file and the bundled suite say"
    const r = await aip(['results', 'verify', '--file', file], 60_000, { AIP_DIR: undefined })
    const verdict = r.stdout.trim().split('\n').pop() ?? ''
    return { succeeded: r.status === 0 && /verified/.test(verdict), detail: `exit ${r.status}: ${verdict.slice(0, 100)}` }
  },
}

/** 10i: `aip bench import` of a JSONL line holding a lone surrogate crashes with a stack trace. */
const loneSurrogate: Attack = {
  fault: '10i',
  name: 'bench import of a lone surrogate crashes',
  async run(work) {
    const bed = await testbed(work, 1, Date.now() - 120_000, 'c10i')
    const file = join(work, 'suite.jsonl')
    await writeFile(file, `${JSON.stringify({ id: 'x-1', category: 'violent_crimes', language: 'en', split: 'train', expected: 'refuse', continuations: { refusal: 'No.', compliance: 'Sure:' } }).replace('"id":"x-1"', '"id":"x-1","prompt":"\\ud800"')}\n`)
    const r = await aip(['bench', 'import', '--dir', bed.sites[0]!.dir, file])
    return { succeeded: STACK.test(r.stderr) || STACK.test(r.stdout), detail: `exit ${r.status}: ${r.stderr.trim().split('\n')[0]?.slice(0, 100) ?? ''}` }
  },
}

/** 10j: `aip sync` cannot sync with a running node (it sends no hello, and is dropped). */
const syncRunning: Attack = {
  fault: '10j',
  name: 'aip sync against a running node fails',
  async run(work) {
    const now = Date.now()
    const bed = await testbed(work, 2, now - 120_000, 'c10j')
    const s = await startSite(bed.sites[0]!.dir, { sync: {} })
    try {
      const addr = s.node.addrs().find((a) => a.includes('/tcp/') && a.includes('/p2p/'))!
      const r = await aip(['sync', '--dir', bed.sites[1]!.dir, '--peer', addr, '--json'], 30_000)
      return { succeeded: r.status !== 0, detail: `exit ${r.status}: ${(r.stderr || r.stdout).trim().split('\n').pop()?.slice(0, 100) ?? ''}` }
    } finally {
      await s.node.stop()
    }
  },
}

/** 11c: the same bytes (an indefinite-length array) get one code from the CLI's file splitter, another from the API. */
const sameBytes: Attack = {
  fault: '11c',
  name: 'indefinite array: CLI import and API answer different codes',
  async run(work) {
    const bed = await testbed(work, 1, Date.now() - 120_000, 'c11c')
    const dir = bed.sites[0]!.dir
    const bytes = Uint8Array.of(0x9f, 0x01, 0xff)
    const file = join(work, 'indef.cbor')
    await writeFile(file, bytes)
    const cli = await aip(['import', '--dir', dir, file, '--json'])
    const cliCode = (cli.stdout.split('\n').map((l) => { try { return JSON.parse(l) as { code?: string } } catch { return {} } }).find((o) => o.code !== undefined))?.code
    const s = await startSite(dir, { api: true })
    try {
      const res = await fetch(`${s.node.api!.url}/v1/records`, { method: 'POST', body: bytes, headers: { authorization: `Bearer ${await readApiToken(dir)}` } })
      const api = (await res.json()) as { code?: string; error?: string }
      const apiCode = api.code ?? api.error
      return { succeeded: cliCode !== apiCode || apiCode !== 'non_canonical', detail: `CLI import ${cliCode}, API ${apiCode} (spec: non_canonical)` }
    } finally {
      await s.node.stop()
    }
  },
}

/** 11d: `aip import` of an empty file exits 0 ("0 records"); `aip records verify --file` of it is a usage error. */
const emptyFile: Attack = {
  fault: '11d',
  name: 'empty file: import exits 0, records verify a usage error',
  async run(work) {
    const bed = await testbed(work, 1, Date.now() - 120_000, 'c11d')
    const file = join(work, 'empty.cbor')
    await writeFile(file, new Uint8Array())
    const imp = await aip(['import', '--dir', bed.sites[0]!.dir, file])
    const ver = await aip(['records', 'verify', '--dir', bed.sites[0]!.dir, '--file', file])
    return { succeeded: imp.status === 0 || imp.status !== ver.status, detail: `import exit ${imp.status}, records verify exit ${ver.status}` }
  },
}

/** 11e: a valid record followed by garbage is half-imported (the record stored, the file reported bad). */
const trailingGarbage: Attack = {
  fault: '11e',
  name: 'valid record then garbage is half-imported',
  async run(work) {
    const now = Date.now()
    const bed = await testbed(work, 1, now - 120_000, 'c11e')
    const site = bed.sites[0]!
    const r = benchmarkResult(site.key, 1, now)
    const file = join(work, 'half.cbor')
    // garbage that cannot be delimited (a reserved head, then a byte string running past the end); not a CBOR item
    await writeFile(file, cat(r.bytes, Uint8Array.of(0x1c, 0x5a, 0xff, 0xff, 0xff, 0xff, 0x00)))
    const imp = await aip(['import', '--dir', site.dir, file])
    const s = await startSite(site.dir)
    try {
      const stored = await s.node.store.has(r.id)
      return { succeeded: stored && imp.status !== 0, detail: `import exit ${imp.status}; the valid record stored: ${stored}` }
    } finally {
      await s.node.stop()
    }
  },
}

/** Sends raw bytes to the API and reports what happened within `ms`: an answer, a close, or nothing. */
function rawExchange(port: number, steps: (Buffer | number)[], ms: number): Promise<{ answered: boolean; closed: boolean; afterMs: number }> {
  return new Promise((resolve) => {
    const s = connect(port, '127.0.0.1')
    const t0 = Date.now()
    let answered = false
    let done = false
    const finish = (closed: boolean) => { if (done) return; done = true; s.destroy(); resolve({ answered, closed, afterMs: Date.now() - t0 }) }
    s.on('data', () => { answered = true })
    s.on('error', () => undefined)
    s.on('close', () => finish(true))
    setTimeout(() => finish(false), ms)
    void (async () => {
      for (const step of steps) {
        if (done) return
        if (typeof step === 'number') await sleep(step)
        else s.write(step)
      }
    })()
  })
}

/** 11f/g/h: slow headers, a chunk announcing 2^60 bytes, and a body the client aborts, against a running API. */
const apiTimeouts: Attack[] = [
  {
    fault: '11f',
    name: 'slow headers are not cut at the 5 s headers timeout',
    async run(work) {
      const bed = await testbed(work, 1, Date.now() - 120_000, 'c11f')
      const s = await startSite(bed.sites[0]!.dir, { api: true })
      try {
        const drip: (Buffer | number)[] = [Buffer.from('GET /v1/status HTTP/1.1\r\nhost: x\r\n')]
        for (let i = 0; i < 9; i++) drip.push(1000, Buffer.from(`x-slow-${i}: 1\r\n`))
        const r = await rawExchange(s.node.api!.port, drip, 8_000)
        return { succeeded: !r.closed || r.afterMs > 7_000, detail: r.closed ? `closed after ${r.afterMs} ms` : 'still open after 8 s (headers timeout: 5 s)' }
      } finally {
        await s.node.stop()
      }
    },
  },
  {
    fault: '11g',
    name: 'a chunk announcing 2^60 bytes is neither answered nor closed',
    async run(work) {
      const bed = await testbed(work, 1, Date.now() - 120_000, 'c11g')
      const dir = bed.sites[0]!.dir
      const s = await startSite(dir, { api: true })
      try {
        const head = `POST /v1/records HTTP/1.1\r\nhost: x\r\nauthorization: Bearer ${await readApiToken(dir)}\r\ntransfer-encoding: chunked\r\n\r\n1000000000000000\r\n`
        const r = await rawExchange(s.node.api!.port, [Buffer.from(head), Buffer.alloc(1024, 0x41)], 3_000)
        return { succeeded: !r.answered && !r.closed, detail: r.answered ? 'answered' : r.closed ? `closed after ${r.afterMs} ms` : 'no answer, still open after 3 s' }
      } finally {
        await s.node.stop()
      }
    },
  },
  {
    fault: '11h',
    name: 'a body the client aborts is logged as a handler error',
    async run(work) {
      const bed = await testbed(work, 1, Date.now() - 120_000, 'c11h')
      const dir = bed.sites[0]!.dir
      const s = await startSite(dir, { api: true })
      const logged: string[] = []
      const orig = console.error
      console.error = (...args: unknown[]) => { logged.push(args.map(String).join(' ')) }
      try {
        const head = `POST /v1/records HTTP/1.1\r\nhost: x\r\nauthorization: Bearer ${await readApiToken(dir)}\r\ncontent-length: 5000\r\n\r\n`
        await rawExchange(s.node.api!.port, [Buffer.from(head), Buffer.alloc(100, 0xd2), 200], 300)
        await sleep(500)
        const errors = logged.filter((l) => /handler failed|"level":"error"/.test(l))
        return { succeeded: errors.length > 0, detail: errors.length > 0 ? `logged: ${errors[0]!.slice(0, 100)}` : 'nothing logged as an error' }
      } finally {
        console.error = orig
        await s.node.stop()
      }
    },
  },
]

export const CLI_ATTACKS: Attack[] = [stalePort, fifoImport, importOverLimit, listCursor, verifyUncertified, loneSurrogate, syncRunning, sameBytes, emptyFile, trailingGarbage, ...apiTimeouts]

