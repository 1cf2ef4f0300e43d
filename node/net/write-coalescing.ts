/**
 * One socket write per connection per turn of the event loop, instead of one per Noise message
 * (specs/network-v1.md §2).
 *
 * libp2p 3 writes every Noise message to the TCP socket as soon as it is produced, and each `socket.write` is a
 * syscall (on loopback it also runs the receiver's TCP input). Gossip produces bursts of small messages on the same
 * connection within one turn: a validated batch of records forwarded to the same peers, control messages, yamux
 * frames. This wrapper corks a TCP connection's socket at its first write in a turn and uncorks it on
 * `process.nextTick` — after the current callback and the promise reactions it triggers, before any other I/O — so
 * those writes leave as one `writev`. Bytes, their order and backpressure (`canSendMore`) are unchanged; no write
 * waits for a timer.
 *
 * It wraps the connection-encrypter factory (node/net/wrap-encrypter.ts) because that is where libp2p hands over the
 * raw connection; connections without a TCP socket (e.g. @libp2p/memory in simulations) pass untouched.
 */
import { Socket } from 'node:net'
import type { ConnectionEncrypter, MessageStream } from '@libp2p/interface'
import type { Uint8ArrayList } from 'uint8arraylist'
import { wrapEncrypter } from './wrap-encrypter.ts'

interface RawConnection { socket?: unknown, sendData?(data: Uint8ArrayList): { sentBytes: number, canSendMore: boolean } }

/** Corks `conn`'s socket for the rest of the current turn on its first write in that turn. */
export function coalesceSocketWrites(conn: MessageStream): void {
  const raw = conn as unknown as RawConnection
  const socket = raw.socket
  if (!(socket instanceof Socket) || typeof raw.sendData !== 'function') return
  const send = raw.sendData.bind(conn)
  let corked = false
  const flush = (): void => {
    corked = false
    if (!socket.destroyed) socket.uncork()
  }
  raw.sendData = (data) => {
    if (!corked && !socket.destroyed) {
      corked = true
      socket.cork()
      process.nextTick(flush)
    }
    return send(data)
  }
}

/** Wraps a connection-encrypter factory (e.g. `noise()`) so every raw TCP connection it secures coalesces writes. */
export function withWriteCoalescing<C>(factory: (components: C) => ConnectionEncrypter): (components: C) => ConnectionEncrypter {
  return wrapEncrypter(factory, { raw: coalesceSocketWrites })
}
