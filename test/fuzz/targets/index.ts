/**
 * Every fuzz target, and its share of a run's inputs. The shares follow each target's CPU cost per input (measured
 * on this machine, one core: cbor ~30k/s, hello ~30k/s, sync ~17k/s, envelope ~6k/s, cbor-valid ~6k/s, payload
 * ~1k/s, api ~500/s) so that a 1,000,000-input run costs about 90 s of CPU; the API gets at most API_INPUTS_MAX.
 */
import type { FuzzTarget } from '../harness.ts'
import { apiTarget } from './api.ts'
import { cborTarget, cborValidTarget } from './cbor.ts'
import { helloTarget, syncTarget } from './messages.ts'
import { envelopeTarget, payloadTarget } from './records.ts'
import { tuneLedgerTarget } from './tune-ledger.ts'

export const TARGETS: FuzzTarget<unknown>[] = [cborTarget, cborValidTarget, envelopeTarget, payloadTarget, helloTarget, syncTarget, apiTarget, tuneLedgerTarget] as FuzzTarget<unknown>[]

/** Relative shares of the inputs. */
export const WEIGHTS: Record<string, number> = { cbor: 50, 'cbor-valid': 5, envelope: 18, payload: 1, hello: 14, sync: 11.7, api: 0.3, 'tune-ledger': 1 }

/** The API target gets at most this many requests per run (each is a real TCP exchange with a running site). */
export const API_INPUTS_MAX = 3_000
