/**
 * Patches into dependencies' non-public members, kept together (README.md lists each one, the members it touches
 * and the exact version it was checked against; package.json pins those versions). `checkPatches` verifies, with
 * real objects of each dependency, that every member a patch relies on exists; a patch whose check fails is
 * disabled (not the node: each is an optimisation) and reported — the node logs the report at start and
 * `aip status` shows it (`patches: { yamuxWindow: 'ok', ... }`).
 */
import { checkGossipsubBackoff, checkGossipsubScoreCache } from './gossipsub-state.ts'
import { checkGossipsubDeliveries } from './gossipsub-deliveries.ts'
import { checkGossipsubMcache } from './gossipsub-mcache.ts'
import { report, settle } from './state.ts'
import type { PatchReport } from './state.ts'
import { checkWriteCoalescing } from './write-coalescing.ts'
import { checkYamuxWindow, installYamuxWindowPatch } from './yamux-window.ts'

export { forgetBackoff, forgetCachedScore } from './gossipsub-state.ts'
export { installDeliveryWindow } from './gossipsub-deliveries.ts'
export { installMcacheBudget } from './gossipsub-mcache.ts'
export type { McacheBudget } from './gossipsub-mcache.ts'
export { withWriteCoalescing, coalesceSocketWrites } from './write-coalescing.ts'
export { assertYamuxWindowPatch } from './yamux-window.ts'
export { PATCH_NAMES, patchEnabled } from './state.ts'
export type { PatchName, PatchReport } from './state.ts'

let transportChecked: Promise<void> | undefined

/** Checks the transport patches (once per process) and installs the yamux one if its check passed. */
export function checkTransportPatches(): Promise<void> {
  transportChecked ??= (async () => {
    const yamux = checkYamuxWindow()
    settle('yamuxWindow', yamux)
    if (yamux === undefined) installYamuxWindowPatch()
    settle('writeCoalescing', await checkWriteCoalescing().catch((err: unknown) => `self-check failed: ${String(err)}`))
  })()
  return transportChecked
}

/** Checks the gossipsub patches against the live router; returns the report of every patch. */
export function checkRouterPatches(pubsub: unknown): PatchReport {
  settle('gossipsubBackoff', checkGossipsubBackoff(pubsub))
  settle('gossipsubScoreCache', checkGossipsubScoreCache(pubsub))
  settle('gossipsubDeliveryWindow', checkGossipsubDeliveries(pubsub))
  settle('gossipsubMcacheBudget', checkGossipsubMcache(pubsub))
  return report()
}
