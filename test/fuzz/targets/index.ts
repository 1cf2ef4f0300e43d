/**
 * Every fuzz target, and its share of a run's inputs. The shares follow each target's cost per input (measured on
 * this machine: cbor ~30k/s, hello ~30k/s, sync ~17k/s, envelope ~6k/s, cbor-valid ~6k/s, payload ~1k/s, api ~500/s)
 * so that a 1,000,000-input run takes a few minutes; the API gets a bounded number (API_INPUTS_MAX).
 */
import type { FuzzTarget } from '../harness.ts'
import { apiTarget } from './api.ts'
import { cborTarget, cborValidTarget } from './cbor.ts'
import { helloTarget, syncTarget } from './messages.ts'
import { envelopeTarget, payloadTarget } from './records.ts'

export const TARGETS: FuzzTarget<unknown>[] = [cborTarget, cborValidTarget, envelopeTarget, payloadTarget, helloTarget, syncTarget, apiTarget] as FuzzTarget<unknown>[]

/** Relative shares of the inputs. */
export const WEIGHTS: Record<string, number> = { cbor: 40, 'cbor-valid': 10, envelope: 20, payload: 2, hello: 15, sync: 12.7, api: 0.3 }

/** The API target gets at most this many requests per run (each is a real TCP exchange with a running site). */
export const API_INPUTS_MAX = 3_000
