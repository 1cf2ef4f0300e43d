import '../../polyfill.ts'
import { noise } from '@chainsafe/libp2p-noise'
import { yamux } from '@chainsafe/libp2p-yamux'
import { tcp } from '@libp2p/tcp'
import { multiaddr } from '@multiformats/multiaddr'
import { createLibp2p } from 'libp2p'
import type { Command } from '../command.ts'
import { UsageError, wantsHelp } from '../command.ts'
import { output, parse, siteDir } from '../args.ts'
import { sitePaths, openSite } from '../../site/dir.ts'
import { RecordStore, StoreError } from '../../store/store.ts'
import { RecordDoor } from '../../records/index.ts'
import { libp2pPrivateKey } from '../../site/peer-id.ts'
import { SyncIndex, SyncService, digestOfId } from '../../sync/index.ts'
import type { SyncResult } from '../../sync/index.ts'
import { Admission } from '../../net/admission.ts'
import { sayHello } from '../../net/hello-client.ts'

const usage = `Usage: aip sync --dir DIR [--peer MULTIADDR ...] [--json]

Pulls the records this site lacks from each peer over /aip/sync/1.0.0 (specs/sync-v1.md), once, then exits.
Every record passes the same validation as a gossiped one and is stored durably before the next is counted;
withdrawn (tombstoned) records are never fetched. It presents the site's hello first (specs/network-v1.md §3), as
every peer must before a node serves it. A running node (\`aip start\`) syncs by itself when a peer connects and
every 60 s; this command opens the site's store, so run it while the node is stopped.

  --dir DIR         site directory (or AIP_DIR)
  --peer MULTIADDR  a peer to pull from, e.g. /ip4/10.0.0.2/tcp/4001/p2p/12D3Koo… (repeatable);
                    default: the config's bootstrap list
  --json            print one JSON object: {peers: [{peer, ok, accepted, ignored, rounds, bytes, ms, error?}]}

Exit status: 0 when every peer was synced, 1 when one failed, 2 on a usage error.`

interface PeerOutcome {
  peer: string
  ok: boolean
  accepted?: number
  ignored?: number
  rounds?: number
  bytes?: number
  ms?: number
  error?: string
}

const command: Command = {
  summary: 'Pull missing records from peers once (anti-entropy sync)',
  usage,
  async run(argv) {
    if (wantsHelp(argv)) {
      console.log(usage)
      return 0
    }
    const { values } = parse(argv, { dir: { type: 'string' }, peer: { type: 'string', multiple: true }, json: { type: 'boolean' } }, usage)
    const site = await openSite(siteDir(values.dir, usage))
    const peers = values.peer ?? site.config.bootstrap
    if (peers.length === 0) throw new UsageError(`no peer: give --peer MULTIADDR or add bootstrap peers to the config\n\n${usage}`)
    const addrs = peers.map((p) => {
      try {
        return multiaddr(p)
      } catch {
        throw new UsageError(`--peer ${p} is not a multiaddr`)
      }
    })
    let store: RecordStore
    try {
      store = await RecordStore.open(sitePaths(site.dir).store)
    } catch (err) {
      if (err instanceof StoreError && err.code === 'store_locked') {
        throw new UsageError(`the node of ${site.dir} is running (its store is locked); it pulls from its peers when they connect and every 60 s — stop it to run \`aip sync\` by hand`, 1)
      }
      throw err
    }
    const libp2p = await createLibp2p({
      privateKey: await libp2pPrivateKey(site.key),
      addresses: { listen: [] },
      transports: [tcp()],
      connectionEncrypters: [noise()],
      streamMuxers: [yamux()],
    })
    const outcomes: PeerOutcome[] = []
    try {
      const door = await RecordDoor.open(store, site.config.genesisCharter)
      const admission = new Admission(door, site.key.publicKey)
      const index = await SyncIndex.load(store)
      door.on('withdrawn', ({ id }) => index.withdraw(digestOfId(id)))
      const sync = new SyncService({
        libp2p, index, store,
        accept: (bytes, peer) => door.admit(bytes, { via: 'sync', peer }),
      }, { onConnect: false, intervalMs: 0 })
      await sync.start()
      for (const addr of addrs) {
        try {
          // network-v1 §3: a node serves sync only to a peer that passed hello; the session reuses this connection
          const conn = await libp2p.dial(addr)
          const reply = await sayHello(conn, await admission.ownHello(Date.now()))
          const remoteKey = conn.remotePeer.publicKey?.raw
          // its charter chain and certificate, taken in as any hello's (H3–H5), so its records validate here
          if (remoteKey !== undefined) await admission.place(reply, remoteKey, Date.now(), conn.remotePeer.toString())
          const r: SyncResult = await sync.syncWith(addr)
          outcomes.push({ peer: addr.toString(), ok: true, accepted: r.accepted, ignored: r.ignored, rounds: r.rounds, bytes: r.bytesSent + r.bytesReceived, ms: r.ms })
        } catch (err) {
          outcomes.push({ peer: addr.toString(), ok: false, error: (err as Error).message })
        }
      }
      await sync.stop()
    } finally {
      await libp2p.stop()
      await store.close()
    }
    output(values.json, { peers: outcomes }, () => outcomes.map((o) => o.ok
      ? `${o.peer}: ${o.accepted} new records (${o.ignored} ignored), ${o.rounds} rounds, ${o.bytes} bytes, ${o.ms} ms`
      : `${o.peer}: failed: ${o.error}`).join('\n'))
    return outcomes.every((o) => o.ok) ? 0 : 1
  },
}
export default command
