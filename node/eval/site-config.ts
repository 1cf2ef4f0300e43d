/**
 * Evaluation settings of a site: DIR/eval.json, optional, `{ "engine_allowlist": ["10.0.0.5", "gpu-1.internal"] }`
 * (specs/evaluation-v1.md §7.1). Loopback engines need no entry.
 */
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { EvalError } from './errors.ts'

export const EVAL_CONFIG_FILE = 'eval.json'

export function engineAllowlist(siteDir: string): string[] {
  let text: string
  try {
    text = readFileSync(join(siteDir, EVAL_CONFIG_FILE), 'utf8')
  } catch {
    return []
  }
  let v: unknown
  try {
    v = JSON.parse(text)
  } catch {
    throw new EvalError('ENGINE_NOT_ALLOWED', `${EVAL_CONFIG_FILE} is not valid JSON`)
  }
  const list = (v as { engine_allowlist?: unknown } | null)?.engine_allowlist
  if (list === undefined) return []
  if (!Array.isArray(list) || !list.every((h) => typeof h === 'string' && h.length > 0 && h.length <= 253)) {
    throw new EvalError('ENGINE_NOT_ALLOWED', `${EVAL_CONFIG_FILE}: engine_allowlist must be a list of host names`)
  }
  return list as string[]
}
