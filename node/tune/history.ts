/**
 * Certified states and rollback (specs/tune-v1.md §4 S3–S5): list the chain of stored states, certify one (the site
 * signs it), and restore one bit-exactly — the model directory rebuilt from the tensor store, its weights root
 * recomputed from the written files and compared with the commitment's — recording the rollback.
 */
import { rm } from 'node:fs/promises'
import type { RecordAccess } from '../records/access.ts'
import { commitWeights } from '../model/weights-root.ts'
import { TuneError } from './errors.ts'
import { hex } from './ledger.ts'
import { auditOperatorVia } from './log.ts'
import { ensureState, getCommitment, openTune } from './service.ts'

export interface StateRow {
  commitment: string | null
  parent: string | null
  tuning: string | null
  weights_root: string
  certified: boolean
  current: boolean
  erased: boolean
}

/** S4: every stored state, the current one's chain first (newest first), then the rest. */
export async function listStates(access: RecordAccess): Promise<StateRow[]> {
  const t = openTune(access)
  const certified = await t.log.certified(access.site.key.publicKey)
  const current = await t.states.current()
  const rows = (await t.states.list()).map((m) => ({
    commitment: m.commitment, parent: m.parent, tuning: m.tuning, weights_root: m.weights_root,
    certified: m.commitment !== null && certified.has(m.commitment), current: current?.weights_root === m.weights_root, erased: m.erased === true,
  }))
  const byCommitment = new Map(rows.filter((r) => r.commitment !== null).map((r) => [r.commitment!, r]))
  const chain: StateRow[] = []
  for (let r = rows.find((x) => x.current); r !== undefined && !chain.includes(r); r = r.parent === null ? undefined : byCommitment.get(r.parent)) chain.push(r)
  return [...chain, ...rows.filter((r) => !chain.includes(r))]
}

/** S3: the site signs a state (importing a bundled model's weights when they match). */
export async function certifyState(access: RecordAccess, commitmentId: string, now: number, modelDir?: string): Promise<{ commitment: string; weights_root: string }> {
  const t = openTune(access)
  const c = await getCommitment(access, commitmentId)
  const root = await ensureState(t, c, modelDir)
  const m = await t.states.manifest(root)
  if (m !== undefined && m.commitment === null) await t.states.setMeta(root, { commitment: c.id })
  await t.log.certify(access.site.key, c.id, c.body.weights_root, now)
  return { commitment: c.id, weights_root: root }
}

/** S5: restores a stored state; returns the time taken and the root recomputed from the written files. */
export async function rollback(access: RecordAccess, to: string, o: { uncertified?: boolean; now: number }): Promise<{ from: string | null; to: string; weights_root: string; ms: number }> {
  const t0 = performance.now()
  const t = openTune(access)
  const c = await getCommitment(access, to)
  const root = hex(c.body.weights_root)
  const m = await t.states.manifest(root)
  if (m === undefined) throw new TuneError('STATE_UNKNOWN', `the state store holds no weights for ${to}`)
  if (m.erased === true) throw new TuneError('STATE_ERASED', `state ${to} was removed by an erasure`)
  if (o.uncertified !== true && !(await t.log.certified(access.site.key.publicKey)).has(to)) {
    throw new TuneError('STATE_NOT_CERTIFIED', `state ${to} is not certified by this site (aip model certify --commitment ${to}, or --uncertified)`)
  }
  const before = await t.states.current()
  const staging = `${t.states.modelDir}.rollback`
  await t.states.materialize(root, staging)
  const got = hex((await commitWeights(staging)).weightsRoot)
  if (got !== root) await rm(staging, { recursive: true, force: true })
  if (got !== root) throw new TuneError('STATE_CORRUPT', `the restored files have weights root ${got}, not ${root}; the current model is unchanged`)
  await t.states.promote(staging, to, root)
  await t.log.append({ kind: 'rollback', time: o.now, from: before?.commitment ?? '', to, weights_root: c.body.weights_root })
  await auditOperatorVia(access, 'rollback', `ModelCommitment ${to}`, `from ${before?.commitment ?? 'none'}; weights root ${root}`, o.now)
  return { from: before?.commitment ?? null, to, weights_root: got, ms: performance.now() - t0 }
  // ms covers the whole rollback: reading and checking the tensors, writing the files, recomputing the root, recording
}
