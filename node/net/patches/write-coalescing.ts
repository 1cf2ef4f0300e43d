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
 * raw connection; connections without a TCP socket (e.g. @libp2p/memory in simulations) pass untouched. It reads two
 * non-public members of @libp2p/tcp's connection (`socket`, `sendData`); `checkWriteCoalescing` verifies them on a
 * real loopback connection at start (README.md), and a failed check disables the patch.
 */
import { connect, Socket } from 'node:net'
import { tcp } from '@libp2p/tcp'
import { multiaddr } from '@multiformats/multiaddr'
import type { ConnectionEncrypter, MessageStream } from '@libp2p/interface'
import type { Uint8ArrayList } from 'uint8arraylist'
import { wrapEncrypter } from '../wrap-encrypter.ts'
import { patchEnabled, silentComponents } from './state.ts'

interface RawConnection { socket?: unknown, sendData?(data: Uint8ArrayList): { sentBytes: number, canSendMore: boolean } }

/** Corks `conn`'s socket for the rest of the current turn on its first write in that turn. */
export function coalesceSocketWrites(conn: MessageStream): void {
  const raw = conn as unknown as RawConnection
  const socket = raw.socket
  if (!patchEnabled('writeCoalescing') || !(socket instanceof Socket) || typeof raw.sendData !== 'function') return
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

/**
 * Self-check: accepts one loopback TCP connection through @libp2p/tcp itself (its listener hands the raw connection
 * to the upgrader, here a probe) and checks the members `coalesceSocketWrites` uses. Undefined when they are there,
 * else what is missing.
 */
export async function checkWriteCoalescing(): Promise<string | undefined> {
  const transport = tcp()(silentComponents as never) as unknown as Listening
  let resolve!: (raw: RawConnection & { abort(err: Error): void }) => void
  const promise = new Promise<RawConnection & { abort(err: Error): void }>((r) => { resolve = r })
  const listener = transport.createListener({ upgrader: { upgradeInbound: async (maConn) => { resolve(maConn) } } })
  await listener.listen(multiaddr('/ip4/127.0.0.1/tcp/0'))
  const port = Number(listener.getAddrs()[0]!.toString().split('/')[4])
  const client = connect(port, '127.0.0.1')
  client.on('error', () => {})
  try {
    const raw = await Promise.race([promise, new Promise<undefined>((r) => setTimeout(() => r(undefined), 5_000).unref())])
    if (raw === undefined) return 'no loopback TCP connection within 5 s'
    raw.abort(new Error('self-check done'))
    if (!(raw.socket instanceof Socket)) return '@libp2p/tcp connection has no `socket` (net.Socket)'
    if (typeof raw.sendData !== 'function') return '@libp2p/tcp connection has no `sendData`'
    return undefined
  } finally {
    client.destroy()
    await listener.close()
  }
}

/** The slice of @libp2p/tcp's transport the self-check drives (its listener, with a probe for an upgrader). */
interface Listening {
  createListener(opts: { upgrader: { upgradeInbound(maConn: RawConnection & { abort(err: Error): void }): Promise<void> } }): {
    listen(ma: ReturnType<typeof multiaddr>): Promise<void>
    getAddrs(): Array<{ toString(): string }>
    close(): Promise<void>
  }
}
