/**
 * Yamux receive-window updates at half a window, not after every data frame (specs/network-v1.md §2).
 *
 * @chainsafe/libp2p-yamux 8 answers EVERY data frame it receives with a WINDOW_UPDATE frame. On a gossip link that is
 * one extra Noise message (a cipher set-up, a 16-byte tag) and one extra socket write per record per link in each
 * direction — a profile of the gossip benchmark's relay sites put `sendWindowUpdate` at ~15% of their CPU. The yamux
 * spec leaves the timing of updates to the receiver; hashicorp/yamux and go-yamux (what go-libp2p runs) send one only
 * once the consumed part of the window reaches half of it, or when the update carries flags (SYN/ACK). This module
 * applies that rule to libp2p-yamux's streams: a sender always keeps at least half a window (≥ 128 KiB) of credit,
 * so no stream ever waits for an update it would otherwise have got, and peers running any yamux see a valid stream.
 *
 * It wraps `YamuxStream.prototype.sendWindowUpdate` (a public export of '@chainsafe/libp2p-yamux/stream') and reads
 * three of its private fields; `checkYamuxWindow` verifies them on a real stream at start (README.md) — a failed check
 * leaves the patch uninstalled — and a test counts the WINDOW_UPDATE frames on a real connection.
 */
import { StreamState, YamuxStream } from '@chainsafe/libp2p-yamux/stream'
import { silentLog } from './state.ts'

interface WindowFields { state: StreamState, recvWindow: number, recvWindowCapacity: number, sendWindowUpdate(): void }

const PATCHED = Symbol.for('aip.yamux.halfWindowUpdates')

/** Installs the half-window rule once per process (idempotent). */
export function installYamuxWindowPatch(): void {
  const proto = YamuxStream.prototype as unknown as WindowFields & { [PATCHED]?: true }
  if (proto[PATCHED] === true) return
  const original = proto.sendWindowUpdate
  if (typeof original !== 'function') throw new Error('@chainsafe/libp2p-yamux: YamuxStream.sendWindowUpdate is gone; revisit node/net/yamux-window.ts')
  proto.sendWindowUpdate = function (this: WindowFields): void {
    // only an established stream's plain credit update can wait; SYN/ACK (Init, SYNReceived) and Paused go through
    if (this.state === StreamState.Established && this.recvWindow - this.recvWindowCapacity < this.recvWindow / 2) return
    original.call(this)
  }
  proto[PATCHED] = true
}

/** What is missing from `stream` for the patch to work, or undefined when it has all it reads. */
export function yamuxFieldsMissing(stream: unknown): string | undefined {
  const s = stream as Partial<WindowFields>
  if (!(stream instanceof YamuxStream)) return 'not a YamuxStream'
  for (const f of ['recvWindow', 'recvWindowCapacity', 'state'] as const) if (typeof s[f] !== 'number') return `YamuxStream has no numeric \`${f}\``
  if (typeof (YamuxStream.prototype as unknown as Partial<WindowFields>).sendWindowUpdate !== 'function') return 'YamuxStream.prototype.sendWindowUpdate is gone'
  return undefined
}

/** Throws unless a live stream has the fields the patch reads (tests call it on a stream of a real connection). */
export function assertYamuxWindowPatch(stream: unknown): void {
  const missing = yamuxFieldsMissing(stream)
  if (missing !== undefined) throw new Error(`@chainsafe/libp2p-yamux changed (${missing}); revisit node/net/patches/yamux-window.ts`)
}

/** Self-check: builds one YamuxStream (no connection needed) and checks what the patch reads. */
export function checkYamuxWindow(): string | undefined {
  const stream = new YamuxStream({
    id: 'aip-self-check', streamId: 1, state: StreamState.Init, direction: 'outbound', log: silentLog,
    sendFrame: () => {}, getRTT: () => 0,
  } as unknown as ConstructorParameters<typeof YamuxStream>[0])
  return yamuxFieldsMissing(stream)
}
