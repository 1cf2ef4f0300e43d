/**
 * `aip tune forget --item HASH` (specs/tune-v1.md §5): destroys the datum's key (crypto-shredding; the ledgers keep
 * the hash), then reruns, from the last state before the datum's first use, every tuning run of the current chain
 * from that one on, each with its ledger's options and data minus the erased data — the exactly-unlearned state —
 * removes the states derived from the datum, and records the erasure. An external run cannot be rerun here (E3a): the
 * rerun stops before it, and it and the runs after it are reported as not rerun.
 */
import type { DecodedRecord } from '../../protocol/index.ts'
import type { RecordAccess } from '../records/access.ts'
import { TUNE_MAX_CHAIN } from './constants.ts'
import { TuneError } from './errors.ts'
import { hex } from './ledger.ts'
import { auditOperatorVia } from './log.ts'
import { getCommitment, openTune, tuneFrom } from './service.ts'
import type { Tune } from './service.ts'
import { ledgerData, linked } from './verify.ts'
import type { Linked } from './verify.ts'

/** The tuning runs that lead to the current state, oldest first. */
async function currentChain(t: Tune): Promise<Linked[]> {
  const cur = await t.states.current()
  const runs: Linked[] = []
  let c: DecodedRecord<'ModelCommitment'> | undefined = cur === undefined ? undefined : await getCommitment(t.access, cur.commitment)
  while (c?.body.tuning !== undefined && runs.length < TUNE_MAX_CHAIN) {
    const l = await linked(t, c.id)
    runs.unshift(l)
    c = l.parent
  }
  return runs
}

/** E3: the stored states derived from the datum — their ledger used it, or their parent is derived. */
async function derivedStates(t: Tune, hashHex: string): Promise<Map<string, string>> {
  const manifests = (await t.states.list()).filter((m) => m.erased !== true && m.commitment !== null && m.tuning !== null)
  const uses = new Map<string, boolean>()
  for (const m of manifests) {
    try {
      uses.set(m.commitment!, (await linked(t, m.commitment!)).ledger.data.some((d) => hex(d.sha256) === hashHex))
    } catch {
      uses.set(m.commitment!, false) // a state whose ledger cannot be read is judged by its parent alone
    }
  }
  const derived = new Map<string, string>() // commitment → weights root
  for (let changed = true; changed;) {
    changed = false
    for (const m of manifests) {
      if (derived.has(m.commitment!) || !(uses.get(m.commitment!) === true || (m.parent !== null && derived.has(m.parent)))) continue
      derived.set(m.commitment!, m.weights_root)
      changed = true
    }
  }
  return derived
}

export interface Forgotten {
  hash: string
  keyDestroyed: boolean
  replaced: string[] // TuningRecord IDs whose states were removed
  commitment: string | null // the new current state (null: no run used the datum)
  notRerun: string[] // E3a: TuningRecord IDs from the first external run on, removed but not rerun (re-run them with --trainer external)
}

export async function forget(access: RecordAccess, hashHex: string, now: number, onStep?: (s: number, loss: number) => void): Promise<Forgotten> {
  if (!/^[0-9a-f]{64}$/.test(hashHex)) throw new TuneError('TUNE_DATUM_UNKNOWN', `'${hashHex}' is not a SHA-256 in lower-case hex`)
  const t = openTune(access)
  const h = new Uint8Array(Buffer.from(hashHex, 'hex'))
  const runs = await currentChain(t)
  const first = runs.findIndex((r) => r.ledger.data.some((d) => hex(d.sha256) === hashHex))
  const derived = await derivedStates(t, hashHex)
  if (first < 0 && derived.size === 0 && !t.data.has(h)) throw new TuneError('TUNE_DATUM_UNKNOWN', `no ledger of the current chain and no stored datum has hash ${hashHex}`)
  const keyDestroyed = await t.data.forget(h)
  let commitment: string | null = null
  const replaced: string[] = []
  const notRerun: string[] = []
  if (first >= 0) {
    let parent = runs[first]!.parent
    for (const [k, run] of runs.slice(first).entries()) {
      if (run.ledger.external !== undefined) { // E3a: an external run cannot be rerun here; the chain stops before it
        notRerun.push(...runs.slice(first + k).map((r) => r.tuning.id))
        replaced.push(...notRerun)
        break
      }
      const skip = new Set(run.ledger.data.map((d) => hex(d.sha256)).filter((x) => t.data.isErased(new Uint8Array(Buffer.from(x, 'hex')))))
      const data = await ledgerData(t, run.ledger.data, new Set(run.tuning.body.bundles.map((b) => b.toString())), skip)
      if (data.length > 0) parent = (await tuneFrom(t, parent, data, run.ledger.options, now, onStep)).commitment
      replaced.push(run.tuning.id)
    }
    commitment = parent.id
    const current = await t.states.current()
    if (current?.commitment !== parent.id) await t.states.setCurrent(parent.id, hex(parent.body.weights_root))
  }
  // E3: every state derived from the datum goes, on the current chain or not (the unlearned state is not among them)
  const keep = commitment === null ? undefined : hex((await getCommitment(access, commitment)).body.weights_root)
  await t.states.erase([...derived.values()].filter((r) => r !== keep))
  await t.log.append({ kind: 'erasure', time: now, sha256: h, replaced, commitment: commitment ?? '', not_rerun: notRerun })
  const external = notRerun.length === 0 ? '' : `; ${notRerun.length} run(s) from an external trainer on removed, not rerun (re-run with --trainer external)`
  await auditOperatorVia(access, 'erasure', `datum ${hashHex}`, `key ${keyDestroyed ? 'destroyed' : 'already absent'}; ${replaced.length - notRerun.length} run(s) replayed without it${external}${commitment === null ? '' : `; current state ${commitment}`}`, now)
  return { hash: hashHex, keyDestroyed, replaced, commitment, notRerun }
}
