/**
 * The tuning ledger's framing and grammar (specs/tune-v1.md §2 L1–L2) and the encrypted datum store (§5 E1–E2), on
 * hostile inputs: every fault ends in its code, never a crash.
 */
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { CborMap } from '../../../protocol/index.ts'
import { DatumStore } from '../../../node/tune/data.ts'
import { TuneError } from '../../../node/tune/errors.ts'
import type { TuneCode } from '../../../node/tune/errors.ts'
import { Chain, hex, optionsMap, parseLedger, sha256 } from '../../../node/tune/ledger.ts'

const code = (c: TuneCode) => (err: unknown) => err instanceof TuneError && err.code === c
const OPTIONS = { seed: 1, batch: 2, steps: 2, warmup: 0, lr: 0.001, maxGradNorm: 1, auxCoef: 0.001, beta1: 0.9, beta2: 0.999, eps: 1e-8, weightDecay: 0.01 }

function ledger(patch: (entries: CborMap[]) => void = () => {}): Uint8Array {
  const entries: CborMap[] = [
    { kind: 'run', version: 1, parent: 'bafkreiparent', parent_weights_root: sha256('p'), trainer: 'aip-ts-f64/1', options: optionsMap(OPTIONS), data: 2, checkpoint_every: 10 },
    { kind: 'datum', index: 0, bundle: 'bafkreibundle', item: 'a', sha256: sha256('a') },
    { kind: 'datum', index: 1, bundle: 'bafkreibundle', item: 'b', sha256: sha256('b') },
    { kind: 'step', step: 1, seed: 1, batch: [1, 0], lr: '0.001', loss: '5.5', grad_norm: '2.25' },
    { kind: 'step', step: 2, seed: 1, batch: [0, 1], lr: '0.0001', loss: '5.25', grad_norm: '2' },
    { kind: 'checkpoint', step: 2, weights_root: sha256('w') },
  ]
  patch(entries)
  const c = new Chain()
  for (const e of entries) c.push(e)
  return c.bytes()
}

test('a well-formed ledger parses; its root is the hash of the last entry', () => {
  const l = parseLedger(ledger())
  assert.equal(l.data.length, 2)
  assert.equal(hex(l.weightsRoot), hex(sha256('w')))
  assert.equal(hex(l.root), hex(sha256(l.entries.at(-1)!.bytes)))
  assert.deepEqual(l.options, OPTIONS)
})

test('L1–L2: hostile ledgers get TUNE_LEDGER_MALFORMED or TUNE_LEDGER_BROKEN', () => {
  const good = ledger()
  assert.throws(() => parseLedger(good.subarray(0, good.length - 3)), code('TUNE_LEDGER_MALFORMED')) // truncated
  assert.throws(() => parseLedger(new Uint8Array([0xff, 0x00, 0x01])), code('TUNE_LEDGER_MALFORMED')) // not CBOR
  assert.throws(() => parseLedger(new Uint8Array(0)), code('TUNE_LEDGER_MALFORMED')) // empty
  const flipped = Uint8Array.from(good)
  flipped[60] ^= 1 // inside the run entry: the next prev no longer matches (or the run entry no longer decodes)
  assert.throws(() => parseLedger(flipped), (e) => e instanceof TuneError && (e.code === 'TUNE_LEDGER_BROKEN' || e.code === 'TUNE_LEDGER_MALFORMED'))
  assert.throws(() => parseLedger(ledger((e) => { e[3]!.batch = [0, 7] })), code('TUNE_LEDGER_MALFORMED')) // no datum 7
  assert.throws(() => parseLedger(ledger((e) => { e[3]!.extra = 1 })), code('TUNE_LEDGER_MALFORMED'))
  assert.throws(() => parseLedger(ledger((e) => { e[1]!.index = 1 })), code('TUNE_LEDGER_MALFORMED'))
  assert.throws(() => parseLedger(ledger((e) => { e.pop() })), code('TUNE_LEDGER_MALFORMED')) // no final checkpoint
  assert.throws(() => parseLedger(ledger((e) => { e.push({ kind: 'step', step: 3 }) })), code('TUNE_LEDGER_MALFORMED'))
  assert.throws(() => parseLedger(ledger((e) => { (e[0]!.options as CborMap).lr = '1e-3x' })), code('TUNE_LEDGER_MALFORMED'))
  assert.throws(() => parseLedger(ledger((e) => { (e[0]!.options as CborMap).steps = 1e9 })), code('TUNE_LEDGER_MALFORMED'))
  // reordering two entries breaks the chain
  const { entries } = parseLedger(good)
  const swapped = [entries[0]!.bytes, entries[2]!.bytes, entries[1]!.bytes, ...entries.slice(3).map((e) => e.bytes)]
  assert.throws(() => parseLedger(Buffer.concat(swapped)), code('TUNE_LEDGER_BROKEN'))
})

test('§2: an external run\'s ledger is run, data, one external entry; any other shape is TUNE_LEDGER_MALFORMED', () => {
  const external: CborMap = {
    kind: 'external', argv: ['/bin/sh', '-c', 'train', 'aip-tune', '/m.json'], dir: 'external/1-0a0b0c0d', manifest_sha256: sha256('m'),
    inputs: [{ name: 'parent/model.safetensors', sha256: sha256('p') }], log_sha256: sha256('l'), output_sha256: sha256('o'), weights_root: sha256('w'), exit_code: 0, wall_ms: 1234,
  }
  const ext = (patch: (entries: CborMap[]) => void = () => {}) => ledger((e) => {
    e.splice(3, 3, external)
    e[0] = { ...e[0]!, trainer: 'external', checkpoint_every: 0 }
    patch(e)
  })
  const l = parseLedger(ext())
  assert.equal(hex(l.weightsRoot), hex(sha256('w')))
  assert.deepEqual([l.external?.argv[2], l.external?.wallMs, l.external?.inputs[0]?.name], ['train', 1234, 'parent/model.safetensors'])
  assert.equal(parseLedger(ledger()).external, undefined)
  assert.throws(() => parseLedger(ext((e) => { e[0]!.checkpoint_every = 10 })), code('TUNE_LEDGER_MALFORMED'))
  assert.throws(() => parseLedger(ext((e) => { e.pop() })), code('TUNE_LEDGER_MALFORMED')) // no external entry
  assert.throws(() => parseLedger(ext((e) => { e.push({ kind: 'checkpoint', step: 1, weights_root: sha256('x') }) })), code('TUNE_LEDGER_MALFORMED'))
  assert.throws(() => parseLedger(ext((e) => { e[3] = { ...external, inputs: [{ name: 'x' }] } })), code('TUNE_LEDGER_MALFORMED'))
  assert.throws(() => parseLedger(ext((e) => { e[3] = { ...external, argv: [] } })), code('TUNE_LEDGER_MALFORMED'))
  assert.throws(() => parseLedger(ledger((e) => { e[0]!.checkpoint_every = 0 })), code('TUNE_LEDGER_MALFORMED')) // TS trainer: at least 1
})

test('E1–E2: data are encrypted at rest under their own keys; tampering and erasure are detected', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'aip-datum-'))
  try {
    const store = new DatumStore(dir)
    const content = new TextEncoder().encode('a prompt and its refusal, possibly personal')
    const h = sha256(content)
    await store.put(h, content)
    const sealed = await readFile(join(dir, 'data', `${hex(h)}.enc`))
    assert.equal(sealed.includes(Buffer.from('possibly personal')), false)
    assert.deepEqual(await store.get(h), content)
    const other = sha256('other')
    assert.equal(await store.get(other), undefined)
    const tampered = Buffer.from(sealed)
    tampered[20] ^= 1
    await writeFile(join(dir, 'data', `${hex(h)}.enc`), tampered)
    await assert.rejects(store.get(h), code('TUNE_DATUM_MISMATCH'))
    assert.equal(await store.forget(h), true)
    await assert.rejects(store.get(h), code('TUNE_DATUM_ERASED'))
    await store.put(h, content) // an erased datum is never stored again
    await assert.rejects(store.get(h), code('TUNE_DATUM_ERASED'))
  } finally {
    await rm(dir, { recursive: true, force: true })
  }
})
