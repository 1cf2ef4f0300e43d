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
 * three of its private fields; `assertYamuxWindowPatch` fails loudly if a yamux upgrade renames them, and a test
 * counts the WINDOW_UPDATE frames on a real connection.
 */
import { StreamState, YamuxStream } from '@chainsafe/libp2p-yamux/stream'

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

/** Throws unless a live stream has the fields the patch reads (called once a connection exists, e.g. in tests). */
export function assertYamuxWindowPatch(stream: unknown): void {
  const s = stream as Partial<WindowFields>
  if (!(stream instanceof YamuxStream) || typeof s.recvWindow !== 'number' || typeof s.recvWindowCapacity !== 'number' || typeof s.state !== 'number') {
    throw new Error('@chainsafe/libp2p-yamux stream fields changed; revisit node/net/yamux-window.ts')
  }
}
