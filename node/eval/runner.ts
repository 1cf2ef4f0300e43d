/**
 * Runs a suite on an engine (specs/evaluation-v1.md §6): item by item in suite order, each outcome appended to a
 * checkpoint before the next item starts, so an interrupted run resumes where it stopped and ends identical.
 */
import { appendFileSync, existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs'
import { dirname } from 'node:path'
import { DEFAULT_MAX_TOKENS, ENGINE_AHEAD_FACTOR } from './constants.ts'
import type { EvalEngine } from './engine.ts'
import { orderedPool } from './ordered-pool.ts'
import { EvalError } from './errors.ts'
import type { ItemOutcome } from './scoring.ts'
import { generativeOutcome, likelihoodOutcome, promptContext, toMicroNats } from './scoring.ts'
import type { SuiteItem } from './suite.ts'

export type RunMode = 'likelihood' | 'generative'

export interface RunOptions {
  mode: RunMode
  seed: number
  maxTokens?: number
  /** Checkpoint file (JSONL of outcomes); created if absent, resumed if present. */
  checkpoint?: string
  /** Identifies the run's inputs; a checkpoint written for another key is refused (CHECKPOINT_MISMATCH). */
  runKey?: string
  onProgress?: (done: number, total: number) => void
  /** Stops after this many newly scored items (tests use it to simulate an interruption). */
  stopAfter?: number
  /** Items sent to the engine at once (§6; external engines); outcomes are still committed in suite order. Default 1. */
  concurrency?: number
}

/** Scores one item: likelihood when the mode asks for it and the item and engine allow it, generative otherwise. */
export async function scoreItem(engine: EvalEngine, item: SuiteItem, mode: RunMode, seed: number, maxTokens: number): Promise<ItemOutcome> {
  if (mode === 'likelihood' && item.continuations !== undefined && engine.canScore) {
    const c = item.continuations
    const lps = await engine.scoreContinuations(promptContext(item.prompt), [c.refusal, c.compliance])
    if (lps.length !== 2) throw new EvalError('ENGINE_BAD_RESPONSE', `expected 2 log-probabilities, got ${lps.length}`)
    const r = toMicroNats(lps[0]!), k = toMicroNats(lps[1]!)
    return { id: item.id, outcome: likelihoodOutcome(item, r, k), logprobs: [r, k], output_sha256: new Uint8Array(0) }
  }
  const output = await engine.generate(item.prompt, { maxTokens, temperature: 0, seed })
  return generativeOutcome(item, output)
}

interface CheckpointLine { key?: string; id?: string; outcome?: string; logprobs?: number[]; output_sha256?: string }

function loadCheckpoint(file: string, runKey: string, ids: ReadonlySet<string>): Map<string, ItemOutcome> {
  const done = new Map<string, ItemOutcome>()
  const lines = readFileSync(file, 'utf8').split('\n')
  lines.forEach((line, i) => {
    if (line.trim() === '') return
    let v: CheckpointLine
    try {
      v = JSON.parse(line) as CheckpointLine
    } catch {
      if (i === lines.length - 1) {
        // A torn last line from an interruption: drop it so the next append starts on a fresh line; rescore the item.
        writeFileSync(file, i === 0 ? JSON.stringify({ key: runKey }) + '\n' : lines.slice(0, -1).join('\n') + '\n')
        return
      }
      throw new EvalError('CHECKPOINT_MISMATCH', `${file}:${i + 1}: unreadable checkpoint line`)
    }
    if (i === 0) {
      if (v.key !== runKey) throw new EvalError('CHECKPOINT_MISMATCH', `${file} belongs to another run (suite, model, engine or seed differ)`)
      return
    }
    if (typeof v.id !== 'string' || !ids.has(v.id) || (v.outcome !== 'refuse' && v.outcome !== 'comply') || !Array.isArray(v.logprobs) || typeof v.output_sha256 !== 'string') {
      throw new EvalError('CHECKPOINT_MISMATCH', `${file}:${i + 1}: not an outcome of this suite`)
    }
    done.set(v.id, { id: v.id, outcome: v.outcome, logprobs: v.logprobs, output_sha256: new Uint8Array(Buffer.from(v.output_sha256, 'hex')) })
  })
  return done
}

/**
 * Scores every item, resuming from the checkpoint. Returns outcomes keyed by item id (complete unless stopAfter cut
 * the run short). Deterministic: outcomes depend only on engine, items, mode, seed and maxTokens.
 */
export async function runSuite(engine: EvalEngine, items: readonly SuiteItem[], opts: RunOptions): Promise<Map<string, ItemOutcome>> {
  const maxTokens = opts.maxTokens ?? DEFAULT_MAX_TOKENS
  const runKey = opts.runKey ?? ''
  let outcomes = new Map<string, ItemOutcome>()
  if (opts.checkpoint !== undefined) {
    if (existsSync(opts.checkpoint) && statSync(opts.checkpoint).size > 0) outcomes = loadCheckpoint(opts.checkpoint, runKey, new Set(items.map((i) => i.id)))
    else {
      mkdirSync(dirname(opts.checkpoint), { recursive: true })
      writeFileSync(opts.checkpoint, JSON.stringify({ key: runKey }) + '\n')
    }
  }
  opts.onProgress?.(outcomes.size, items.length)
  let todo = items.filter((item) => !outcomes.has(item.id))
  if (opts.stopAfter !== undefined) todo = todo.slice(0, opts.stopAfter)
  const concurrency = opts.concurrency ?? 1
  await orderedPool(todo.length, concurrency, ENGINE_AHEAD_FACTOR * concurrency, (i) => scoreItem(engine, todo[i]!, opts.mode, opts.seed, maxTokens), (_, o) => {
    if (opts.checkpoint !== undefined) {
      const line = { id: o.id, outcome: o.outcome, logprobs: o.logprobs, output_sha256: Buffer.from(o.output_sha256).toString('hex') }
      appendFileSync(opts.checkpoint, JSON.stringify(line) + '\n')
    }
    outcomes.set(o.id, o)
    opts.onProgress?.(outcomes.size, items.length)
  })
  return outcomes
}
