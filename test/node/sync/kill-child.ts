/**
 * Child process of faults.test.ts: opens the site at argv[2], pulls from argv[3], and prints `accepted ID` for each
 * record once its durable put has resolved. The parent kills it with SIGKILL in the middle.
 */
import '../../../node/polyfill.ts'
import { multiaddr } from '@multiformats/multiaddr'
import { recordId } from '../../../protocol/ids.ts'
import { startSite } from './site.ts'

const [dir, peer] = process.argv.slice(2)
const site = await startSite(dir, { onConnect: false, intervalMs: 0 }, {
  afterAccept(bytes, verdict) {
    if (verdict.action === 'accept') process.stdout.write(`accepted ${recordId(bytes)}\n`)
  },
})
await site.sync.syncWith(multiaddr(peer))
await site.stop()
