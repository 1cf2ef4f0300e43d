/**
 * One way to replace a site file durably: write a temporary file beside it, fsync it, then rename it over the old one,
 * so a crash leaves either the old bytes or the new ones, never a torn file (alignment drafts and reviews, SovereignTune
 * datum and state files).
 */
import { open, rename } from 'node:fs/promises'

export async function writeFileSynced(path: string, bytes: Uint8Array, mode = 0o600): Promise<void> {
  const tmp = `${path}.tmp-${process.pid}`
  const fh = await open(tmp, 'w', mode)
  try {
    await fh.writeFile(bytes)
    await fh.sync()
  } finally {
    await fh.close()
  }
  await rename(tmp, path)
}
