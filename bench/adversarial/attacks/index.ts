/** Every attack replay of issue 11, in fault order. */
import type { Attack } from './common.ts'
import { CLI_ATTACKS } from './cli.ts'
import { FEDERATION_ATTACKS } from './federation.ts'
import { PEER_ATTACKS } from './peers.ts'
import { RETRACTION_ATTACKS } from './retraction.ts'
import { WIRE_ATTACKS } from './wire.ts'

export type { Attack, AttackResult } from './common.ts'
export { replay } from './common.ts'

const order = (a: Attack) => [parseInt(a.fault, 10), a.fault] as const
export const ATTACKS: Attack[] = [...RETRACTION_ATTACKS, ...FEDERATION_ATTACKS, ...PEER_ATTACKS, ...WIRE_ATTACKS, ...CLI_ATTACKS]
  .sort((a, b) => order(a)[0] - order(b)[0] || order(a)[1].localeCompare(order(b)[1]))
