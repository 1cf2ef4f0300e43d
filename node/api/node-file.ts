/**
 * DIR/node.json: written by `aip start` once its API listens, removed on clean shutdown. Other commands read it to
 * reach the running node (node/api/client.ts). A stale file (the node was killed) is detected by the liveness check.
 */
import { readFile, rename, rm, writeFile } from 'node:fs/promises'
import { join, resolve } from 'node:path'
import { NODE_FILE } from '../site/constants.ts'

export interface NodeFile {
  pid: number
  api: { host: string; port: number }
  peerId: string
  /** The node's listen multiaddrs (with /p2p/PEERID), for other sites' bootstrap lists. */
  addrs: string[]
  /** ms since the Unix epoch. */
  startedAt: number
}

export function nodeFilePath(dir: string): string {
  return join(resolve(dir), NODE_FILE)
}

export async function writeNodeFile(dir: string, info: NodeFile): Promise<void> {
  const path = nodeFilePath(dir)
  const tmp = `${path}.tmp-${process.pid}`
  await writeFile(tmp, JSON.stringify(info, null, 2) + '\n', { mode: 0o644 })
  await rename(tmp, path)
}

export async function removeNodeFile(dir: string): Promise<void> {
  await rm(nodeFilePath(dir), { force: true })
}

/** The node file, or undefined when absent or unreadable. */
export async function readNodeFile(dir: string): Promise<NodeFile | undefined> {
  let doc: unknown
  try {
    doc = JSON.parse(await readFile(nodeFilePath(dir), 'utf8'))
  } catch {
    return undefined
  }
  const n = doc as Partial<NodeFile>
  if (!Number.isInteger(n.pid) || typeof n.api?.host !== 'string' || !Number.isInteger(n.api?.port)) return undefined
  return { pid: n.pid!, api: n.api, peerId: String(n.peerId ?? ''), addrs: Array.isArray(n.addrs) ? n.addrs.map(String) : [], startedAt: Number(n.startedAt ?? 0) }
}
