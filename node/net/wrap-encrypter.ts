/**
 * Wraps a libp2p connection-encrypter factory (e.g. `noise()`): the one place where libp2p 3 hands over both the raw
 * connection (before the handshake) and the secured one (after). Used by write coalescing (node/net/patches/write-coalescing.ts),
 * egress accounting (node/net/egress/monitor.ts) and tests that count what a host writes.
 */
import type { ConnectionEncrypter, MessageStream, SecureConnectionOptions, SecuredConnection } from '@libp2p/interface'

export interface EncrypterHooks {
  /** Called with the raw connection before the encrypter secures it. */
  raw?(conn: MessageStream): void
  /** Called with the secured connection; returns it (possibly patched). */
  secured?<E>(secured: SecuredConnection<E>): SecuredConnection<E>
}

export function wrapEncrypter<C>(factory: (components: C) => ConnectionEncrypter, hooks: EncrypterHooks): (components: C) => ConnectionEncrypter {
  const after = <E>(s: SecuredConnection<E>): SecuredConnection<E> => (hooks.secured === undefined ? s : hooks.secured(s))
  return (components: C) => {
    const inner = factory(components)
    const wrapped: ConnectionEncrypter = {
      protocol: inner.protocol,
      secureOutbound: async (conn: MessageStream, opts?: SecureConnectionOptions) => {
        hooks.raw?.(conn)
        return after(await inner.secureOutbound(conn, opts))
      },
      secureInbound: async (conn: MessageStream, opts?: SecureConnectionOptions) => {
        hooks.raw?.(conn)
        return after(await inner.secureInbound(conn, opts))
      },
    }
    // Keep the capability tags libp2p uses to check that an encrypter is configured.
    for (const sym of Object.getOwnPropertySymbols(inner)) {
      Object.defineProperty(wrapped, sym, { value: (inner as unknown as Record<symbol, unknown>)[sym] })
    }
    return wrapped
  }
}
