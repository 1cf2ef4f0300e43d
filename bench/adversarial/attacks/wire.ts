/**
 * Faults 7, 10 and 11 of issue 11: a second wire form through "__proto__", unsafe permissions, and the same bytes
 * answered differently.
 */
import { chmod } from 'node:fs/promises'
import { join } from 'node:path'
import { encodeCanonical, envelope, protectedHeader, RECORD_SPECS, sign, sigStructure } from '../../../protocol/index.ts'
import type { CborMap } from '../../../protocol/index.ts'
import { decodeRecord } from '../../../protocol/index.ts'
import { benchmarkResult } from '../../../node/net/testbed.ts'
import type { Attack } from './common.ts'
import { startSite, testbed } from './common.ts'

/** 7: a payload whose "__proto__" key holds the real fields, signed by a certified site, is accepted. */
const protoPayload: Attack = {
  fault: '7',
  name: '"__proto__" payload: a second wire form accepted',
  async run(work) {
    const now = Date.now()
    const bed = await testbed(work, 1, now - 120_000, 'w7')
    const site = bed.sites[0]!
    const s = await startSite(site.dir)
    try {
      const honest = benchmarkResult(site.key, 1, now)
      const fields = decodeRecord(honest.bytes)
      if (fields.action !== 'accept') throw new Error('the honest record does not decode')
      const { created, ...body } = { ...(fields.record.body as unknown as CborMap), created: fields.record.created }
      const payloadMap: CborMap = { created }
      Object.defineProperty(payloadMap, '__proto__', { value: body, enumerable: true, writable: true, configurable: true })
      const payload = encodeCanonical(payloadMap)
      const prot = protectedHeader(RECORD_SPECS.BenchmarkResult.contentType, site.key.publicKey)
      const bytes = envelope(prot, payload, sign(site.key, sigStructure(prot, payload)))
      const o = await s.node.publish(bytes)
      return { succeeded: o.action === 'accept', detail: `the "__proto__" form: ${o.action}/${o.code}` }
    } finally {
      await s.node.stop()
    }
  },
}

/** 10a: a world-writable config.json (it holds the trust anchor) and site directory are used as they are. */
const unsafePermissions: Attack = {
  fault: '10a',
  name: 'world-writable config.json and site directory accepted',
  async run(work) {
    const bed = await testbed(work, 1, Date.now() - 120_000, 'w10')
    const site = bed.sites[0]!
    await chmod(join(site.dir, 'config.json'), 0o666)
    await chmod(site.dir, 0o777)
    try {
      const s = await startSite(site.dir)
      await s.node.stop()
      return { succeeded: true, detail: 'the node started on a world-writable config' }
    } catch (e) {
      return { succeeded: false, detail: `refused: ${(e as Error).message.slice(0, 100)}` }
    }
  },
}

/** 11a: a record the node already holds is answered `accept ok` again by the local entrance (import says duplicate). */
const duplicateAccepted: Attack = {
  fault: '11a',
  name: 'publishing a held record answers accept',
  async run(work) {
    const now = Date.now()
    const bed = await testbed(work, 1, now - 120_000, 'w11a')
    const site = bed.sites[0]!
    const s = await startSite(site.dir)
    try {
      const r = benchmarkResult(site.key, 1, now)
      const first = await s.node.publish(r.bytes)
      const second = await s.node.publish(r.bytes)
      return { succeeded: second.action === 'accept', detail: `first ${first.action}/${first.code}, second ${second.action}/${second.code}` }
    } finally {
      await s.node.stop()
    }
  },
}

/** 11b: an indefinite-length array is `non_canonical` (aip-v1 §3.1, specs/vectors/cbor.json) at every entrance. */
const indefiniteArray: Attack = {
  fault: '11b',
  name: 'indefinite array answered with another code than non_canonical',
  async run(work) {
    const bed = await testbed(work, 1, Date.now() - 120_000, 'w11b')
    const s = await startSite(bed.sites[0]!.dir, { api: true })
    try {
      const body = Uint8Array.of(0x9f, 0x01, 0xff)
      const token = (await import('../../../node/index.ts')).readApiToken
      const res = await fetch(`${s.node.api!.url}/v1/records`, { method: 'POST', body, headers: { authorization: `Bearer ${await token(bed.sites[0]!.dir)}` } })
      const api = (await res.json()) as { code?: string; error?: string }
      const direct = await s.node.publish(body)
      const codes = [api.code ?? api.error, direct.code]
      return { succeeded: codes.some((c) => c !== 'non_canonical'), detail: `API ${codes[0]}, node.publish ${codes[1]}` }
    } finally {
      await s.node.stop()
    }
  },
}

export const WIRE_ATTACKS: Attack[] = [protoPayload, unsafePermissions, duplicateAccepted, indefiniteArray]
