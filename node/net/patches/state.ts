/**
 * Which patches into dependencies' non-public members are in force (README.md). A patch whose self-check failed at
 * start is disabled: the dependency then behaves as shipped (each patch is an optimisation, never a rule of the
 * protocol), and the node says so loudly (log `patch_disabled`, `aip status` → patches).
 */
export const PATCH_NAMES = ['yamuxWindow', 'writeCoalescing', 'gossipsubBackoff', 'gossipsubScoreCache', 'gossipsubDeliveryWindow', 'gossipsubMcacheBudget'] as const
export type PatchName = typeof PATCH_NAMES[number]
/** 'ok', or 'disabled: WHY'. */
export type PatchReport = Record<PatchName, string>

const disabled = new Map<PatchName, string>()

export function patchEnabled(name: PatchName): boolean {
  return !disabled.has(name)
}

/** Records a check's result; a failure disables the patch for the life of the process. */
export function settle(name: PatchName, failure: string | undefined): void {
  if (failure !== undefined) disabled.set(name, failure)
}

export function report(): PatchReport {
  return Object.fromEntries(PATCH_NAMES.map((n) => [n, disabled.has(n) ? `disabled: ${disabled.get(n)}` : 'ok'])) as PatchReport
}

type Log = ((...args: unknown[]) => void) & { error(...a: unknown[]): void; trace(...a: unknown[]): void; enabled: boolean; newScope(name: string): Log }
/** A silent libp2p logger for the self-checks' throwaway objects (libp2p's own logger package is not ours to import). */
export const silentLog: Log = Object.assign(() => {}, { error: () => {}, trace: () => {}, enabled: false, newScope: () => silentLog })
export const silentComponents = { logger: { forComponent: () => silentLog } }
