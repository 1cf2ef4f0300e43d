/** Finds and parses a scenario: a shipped name (simulations/scenarios/NAME.json) or a path to a JSON file. */
import { readFile, readdir, stat } from 'node:fs/promises'
import { fileURLToPath } from 'node:url'
import { join } from 'node:path'
import { ASSERTION_IDS } from '../assertions/index.ts'
import { MAX_SCENARIO_BYTES } from './constants.ts'
import type { Scenario } from './types.ts'
import { idWidth, parseScenario, ScenarioError } from './validate.ts'

export const SCENARIO_DIR = fileURLToPath(new URL('../scenarios/', import.meta.url))

export async function shippedScenarios(): Promise<string[]> {
  return (await readdir(SCENARIO_DIR)).filter((f) => f.endsWith('.json')).map((f) => f.slice(0, -5)).sort()
}

/**
 * Loads a scenario; `sites`: run it with this many generated sites instead (a scale step), without its scale steps,
 * or with `keepSteps` those of its steps below `sites` (a sweep stopped at `sites`); `workers`: over this many worker
 * processes instead of the scenario's own `workers`.
 */
export async function loadScenario(nameOrPath: string, sites?: number, keepSteps = false, workers?: number): Promise<Scenario> {
  const path = /^[a-z0-9-]+$/.test(nameOrPath) ? join(SCENARIO_DIR, `${nameOrPath}.json`) : nameOrPath
  let size: number
  try {
    size = (await stat(path)).size
  } catch {
    throw new ScenarioError(nameOrPath, [`no such scenario (shipped: ${(await shippedScenarios()).join(', ')})`])
  }
  if (size > MAX_SCENARIO_BYTES) throw new ScenarioError(path, [`file is ${size} bytes; at most ${MAX_SCENARIO_BYTES}`])
  let raw: unknown
  try {
    raw = JSON.parse(await readFile(path, 'utf8'))
  } catch (err) {
    throw new ScenarioError(path, [`not valid JSON: ${(err as Error).message}`])
  }
  if (sites !== undefined && typeof raw === 'object' && raw !== null && 'sites' in raw) {
    const r = raw as { sites: unknown; scale_steps?: unknown }
    if (typeof r.sites === 'object' && r.sites !== null && !Array.isArray(r.sites)) {
      // a step keeps the full federation's id width, so the timeline's site-0001 is the same site at 10 sites
      const g = r.sites as { count?: unknown; width?: unknown }
      const width = g.width ?? (typeof g.count === 'number' ? idWidth(g.count) : undefined)
      r.sites = { ...r.sites, count: sites, ...(width !== undefined ? { width } : {}) }
      if (keepSteps && Array.isArray(r.scale_steps)) r.scale_steps = r.scale_steps.filter((n) => typeof n !== 'number' || n < sites)
      else delete r.scale_steps
    }
  }
  // --workers: the same scenario spread over this many worker processes (mode memory)
  if (workers !== undefined && typeof raw === 'object' && raw !== null) (raw as { workers?: number }).workers = workers
  return parseScenario(raw, path, ASSERTION_IDS)
}
