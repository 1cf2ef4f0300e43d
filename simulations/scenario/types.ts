/**
 * The scenario format (simulations/README.md § Scenario files). A scenario file is JSON; `parseScenario` checks it
 * and expands generators (site lists, topologies) into this fully explicit form, deterministically from `seed`.
 */

/** What a site does. Everything but `honest` is a byzantine role. */
export type Role = 'honest' | 'forger' | 'replayer' | 'spammer' | 'intruder' | 'exfiltrator' | 'equivocator' | 'forwarder'
export const ROLES: readonly Role[] = ['honest', 'forger', 'replayer', 'spammer', 'intruder', 'exfiltrator', 'equivocator', 'forwarder']

/** TLP 2.0 labels of an alignment bundle (specs/alignment-v1.md §2). */
export type AlignLabel = 'TLP:CLEAR' | 'TLP:GREEN' | 'TLP:AMBER' | 'TLP:AMBER+STRICT' | 'TLP:RED'
export const ALIGN_LABELS: readonly AlignLabel[] = ['TLP:CLEAR', 'TLP:GREEN', 'TLP:AMBER', 'TLP:AMBER+STRICT', 'TLP:RED']

/** memory: every site in this process over @libp2p/memory; process: one OS process per site over TCP on 127.0.0.1. */
export type Mode = 'memory' | 'process'

export interface SiteSpec {
  id: string
  /** ISO 3166-1 alpha-2 nation code, upper case. */
  nation: string
  role: Role
  /** When set, the site is not started at t=0 but by a `join` event (it must have one). */
  joins_later?: boolean
}

export interface LinkSpec {
  /** One-way delay added to each gossip message crossing the link (ms). */
  latency_ms: number
  /** Uniform extra delay in [0, jitter_ms). */
  jitter_ms: number
  /** Probability that a gossip message crossing the link is dropped. */
  loss: number
}

export interface Edge {
  a: string
  b: string
  link: LinkSpec
}

/** What a publish event puts on the wire. `result`: a signed BenchmarkResult; `evaluation`: the site first runs the
 * bundled suite on its own engine and publishes that result. */
export type PublishKind = 'result' | 'evaluation'

export type Event =
  /** site "*": every honest, unrevoked site that is up at that moment. */
  | { at_ms: number; type: 'publish'; site: string; count: number; kind: PublishKind }
  | { at_ms: number; type: 'partition'; groups: string[][] }
  | { at_ms: number; type: 'heal' }
  | { at_ms: number; type: 'kill'; site: string }
  | { at_ms: number; type: 'restart'; site: string }
  | { at_ms: number; type: 'join'; site: string }
  | { at_ms: number; type: 'revoke'; site: string }
  /** A byzantine site performs its role's attack `count` times. */
  | { at_ms: number; type: 'attack'; site: string; count: number }
  /** audit-v1 §7: the site ("*": every live site) signs a checkpoint, asks the other nations to cosign, gossips it. */
  | { at_ms: number; type: 'checkpoint'; site: string }
  /** The site publishes a red-team alignment bundle of `items` seeded items, labelled, for an audience of nations and
   * site ids (restricted labels only). `exemplars`: refusal-exemplar items (each jailbreak prompt with a refusal). */
  | { at_ms: number; type: 'align'; site: string; label: AlignLabel; items: number; audience?: { nations?: string[]; sites?: string[] }; exemplars?: boolean }
  /** SovereignTune (issue 14 item 7; memory mode): the site approves the last exemplar bundle `bundle_of` published,
   * tunes its current model on it for `steps` steps of `batch` examples at peak learning rate `lr` (TS trainer;
   * defaults runner/evaluate.ts SIM_TUNE), evaluates the tuned model and publishes the result. */
  | { at_ms: number; type: 'tune'; site: string; bundle_of: string; steps: number; batch?: number; lr?: number }

export type EventType = Event['type']
export const EVENT_TYPES: readonly EventType[] = ['publish', 'partition', 'heal', 'kill', 'restart', 'join', 'revoke', 'attack', 'checkpoint', 'align', 'tune']

export interface AssertionSpec {
  id: string
  /** Numeric parameters, e.g. { ms: 2000 } for a latency bound. */
  params: Record<string, number>
}

export interface Scenario {
  name: string
  description: string
  seed: number
  mode: Mode
  /** Mode memory: child processes the sites are spread over (1: all in this process). Mode process: one per site. */
  workers: number
  sites: SiteSpec[]
  /** Smaller site counts the same scenario is also run at, first (scaling table of the report). */
  scale_steps: number[]
  edges: Edge[]
  timeline: Event[]
  /** After the last event, wait until every expected delivery happened or this many ms passed. */
  settle_ms: number
  /** shared: every site holds the bundled model; per-site: each site its own model (same architecture, weights
   * from its own seed), so results, commitments and the weights its egress monitor guards all differ; trained: every
   * site holds the committed trained bundled model (kernels/models/bundled-trained/, issue 14). */
  models: 'shared' | 'per-site' | 'trained'
  /** Background anti-entropy period of every site (ms; 0: only on connect). Production: 60 s. */
  sync_interval_ms: number
  /** Records held per site are sampled at this period (ms) for the report. */
  sample_ms: number
  assertions: AssertionSpec[]
}
