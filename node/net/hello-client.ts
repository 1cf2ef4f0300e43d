/**
 * The dialler's half of the hello handshake (specs/network-v1.md §3; specs/sync-v1.md §7) for a process that only syncs, such as
 * `aip sync`: it presents this site's hello and waits for the listener's, which comes only once the listener has
 * admitted us (rule H1); a node serves sync only to admitted peers. It returns the listener's hello for the caller
 * to take in (its certificate and charter chain let the records pulled next validate). It does not join the gossip
 * mesh, so it sends no `ack` (which would let the listener graft it).
 */
import type { Connection } from '@libp2p/interface'
import { lpStream } from '@libp2p/utils'
import { HELLO_MAX_BYTES, HELLO_PROTOCOL, HELLO_TIMEOUT_MS } from './constants.ts'
import { decodeHello, encodeHello } from './hello-message.ts'
import type { Hello } from './hello-message.ts'

/** The listener's hello, once it has admitted us; throws (with the reason when known) if it refuses or times out. */
export async function sayHello(conn: Connection, hello: Hello): Promise<Hello> {
  const signal = AbortSignal.timeout(HELLO_TIMEOUT_MS)
  const stream = await conn.newStream(HELLO_PROTOCOL, { signal })
  try {
    const lp = lpStream(stream, { maxDataLength: HELLO_MAX_BYTES })
    await lp.write(encodeHello(hello), { signal })
    let reply: Uint8Array
    try {
      reply = (await lp.read({ signal })).subarray()
    } catch (err) {
      throw new Error(`the peer did not admit this site (its hello was refused: is this site's certificate valid under the peer's charter?): ${(err as Error).message}`, { cause: err })
    }
    return decodeHello(reply) // well-formed, or the peer does not speak network-v1
  } finally {
    await stream.close({ signal }).catch(() => stream.abort(new Error('hello done')))
  }
}
