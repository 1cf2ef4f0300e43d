/**
 * DIR/audit.json: the operator's audit settings (all optional; defaults below). Kept apart from config.json so the
 * audit settings can change without touching the site's network configuration.
 */
import { readFile, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { randomBytes } from 'node:crypto'
import { readSecretFile, writeSecretFile } from '../site/keys.ts'
import { AUDIT_CONFIG_FILE, CONTENT_KEY_FILE, DEFAULT_CHECKPOINT_INTERVAL_MS, DEFAULT_RETENTION_DAYS, DEFAULT_WITNESS_GOSSIP_DELAY_MS, DEFAULT_WITNESS_QUORUM } from './constants.ts'

export interface AuditConfig {
  /** Capture prompts and outputs, encrypted, outside the tree (audit-v1 §6). Default false. */
  captureContent: boolean
  /** Days captured content is kept (audit-v1 §6). */
  retentionDays: number
  /** Interval between scheduled checkpoints, ms; 0 = only on demand. */
  checkpointIntervalMs: number
  /** audit-v1 §7.1: cosignatures from this many other nations make a checkpoint witnessed. */
  witnessQuorum: number
  /** Verifier keys of witnesses to ask and trust, besides the federation's certified sites. */
  witnesses: string[]
  /** audit-v1 §7.4: ms a witness waits for the log's own AuditCheckpoint before gossiping the checkpoint it cosigned. */
  witnessGossipDelayMs: number
}

export const DEFAULT_AUDIT_CONFIG: AuditConfig = {
  captureContent: false, retentionDays: DEFAULT_RETENTION_DAYS, checkpointIntervalMs: DEFAULT_CHECKPOINT_INTERVAL_MS,
  witnessQuorum: DEFAULT_WITNESS_QUORUM, witnesses: [], witnessGossipDelayMs: DEFAULT_WITNESS_GOSSIP_DELAY_MS,
}

export async function readAuditConfig(dir: string): Promise<AuditConfig> {
  let text: string
  try {
    text = await readFile(join(dir, AUDIT_CONFIG_FILE), 'utf8')
  } catch {
    return { ...DEFAULT_AUDIT_CONFIG }
  }
  const v = JSON.parse(text) as Partial<AuditConfig>
  const c = { ...DEFAULT_AUDIT_CONFIG, ...v }
  if (typeof c.captureContent !== 'boolean' || !(c.retentionDays >= 1) || !(c.checkpointIntervalMs >= 0) || !(Number.isInteger(c.witnessQuorum) && c.witnessQuorum >= 0) || !Array.isArray(c.witnesses) || !(c.witnessGossipDelayMs >= 0)) {
    throw new Error(`${AUDIT_CONFIG_FILE}: bad audit configuration`)
  }
  return c
}

export async function writeAuditConfig(dir: string, c: AuditConfig): Promise<void> {
  await writeFile(join(dir, AUDIT_CONFIG_FILE), JSON.stringify(c, null, 2) + '\n')
}

/** The content key (32 bytes), created with mode 0600 on first use. */
export async function contentKey(dir: string): Promise<Uint8Array> {
  const path = join(dir, CONTENT_KEY_FILE)
  try {
    return Uint8Array.from(Buffer.from((await readSecretFile(path)).trim(), 'hex'))
  } catch (err) {
    if ((err as { code?: string }).code !== 'missing_file') throw err
    const key = randomBytes(32)
    await writeSecretFile(path, key.toString('hex') + '\n')
    return new Uint8Array(key)
  }
}
