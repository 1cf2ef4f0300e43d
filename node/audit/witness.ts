/**
 * A site acting as a witness (specs/audit-v1.md §7.2): it keeps, per origin, the last checkpoint it cosigned (in its
 * own audit log's metadata, durably) and cosigns a new one only after checking the log's signature and a consistency
 * proof from that last checkpoint. Two checkpoints of one log that cannot both be true are kept as an equivocation
 * proof (§7.3), and the origin is never cosigned again.
 */
import { checkAdvance, cosigner, parseCheckpoint, parseNote, verifyNote, AuditError } from '../../protocol/index.ts'
import type { NoteSignature, NoteVerifier, SigningKey } from '../../protocol/index.ts'
import type { AuditLog } from './log.ts'

const utf8 = new TextEncoder()
const fromUtf8 = new TextDecoder()

export type CosignResult =
  | { ok: true; signature: NoteSignature }
  | { ok: false; code: 'bad_note' | 'unknown_log' | 'origin_mismatch' | 'rollback' | 'inconsistent' | 'equivocated'; message: string }

/** Evidence of an equivocation: two notes both signed by the log (§7.3). */
export interface Equivocation {
  origin: string
  a: string
  b: string
  /** When the witness found it (ms). */
  at: number
}

/** What a witness found, with what the gossiped proof needs (§7.4): the log key and, across sizes, the log's proof. */
export interface EquivocationFound extends Equivocation {
  logKey: Uint8Array
  /** The consistency proof the log gave from a's size to b's (b the larger), when the sizes differ. */
  proof?: readonly Uint8Array[]
}

export class Witness {
  private readonly signer: ReturnType<typeof cosigner>
  /** Called once per equivocation found (the node raises an alert and gossips the proof). */
  onEquivocation: ((e: EquivocationFound) => void) | undefined
  /** Called after each cosignature, with the note as the log sent it (§7.4: the witness may gossip it). */
  onCosigned: ((logKey: Uint8Array, note: string) => void) | undefined

  constructor(private readonly log: AuditLog, key: SigningKey, readonly name: string, private readonly now: () => number) {
    this.signer = cosigner(name, key)
  }

  /** The last checkpoint (the full note the log signed) cosigned for `origin`. */
  async last(origin: string): Promise<string | undefined> {
    const v = await this.log.getMeta(`witness/${origin}`)
    return v === undefined ? undefined : fromUtf8.decode(v)
  }

  async equivocations(): Promise<Equivocation[]> {
    const out: Equivocation[] = []
    for await (const [, v] of this.log.metaEntries('equivocation/')) out.push(JSON.parse(fromUtf8.decode(v)) as Equivocation)
    return out
  }

  /**
   * §7.2: cosign `noteText` (a checkpoint signed by the log whose verifier is `logKey`), given the log's consistency
   * proof from the last size this witness cosigned. Calls for one witness must not overlap (the node serialises them).
   */
  async cosign(noteText: string, proof: readonly Uint8Array[], logKey: NoteVerifier): Promise<CosignResult> {
    let text: string
    let cp
    try {
      const note = parseNote(noteText)
      verifyNote({ text: note.text, signatures: note.signatures.filter((s) => s.name === logKey.name) }, [logKey])
      text = note.text
      cp = parseCheckpoint(text)
    } catch (err) {
      if (err instanceof AuditError) return { ok: false, code: 'bad_note', message: `${err.code}: ${err.message}` }
      throw err
    }
    if (cp.origin !== logKey.name) return { ok: false, code: 'unknown_log', message: `the log key is for ${logKey.name}, the checkpoint for ${cp.origin}` }
    if ((await this.log.getMeta(`equivocation/${cp.origin}`)) !== undefined) return { ok: false, code: 'equivocated', message: `${cp.origin} has equivocated; it is not cosigned again` }
    const lastNote = await this.last(cp.origin)
    const last = lastNote === undefined ? undefined : parseCheckpoint(parseNote(lastNote).text)
    const r = checkAdvance(last, cp, proof)
    if (!r.ok) {
      // §7.3: the last cosigned note and this one, both verified as the log's, cannot both be true
      if (r.code === 'inconsistent' && last !== undefined) await this.recordEquivocation(cp.origin, lastNote!, noteText, { logKey: logKey.publicKey, proof: cp.size > last.size ? proof : undefined })
      return r
    }
    if (last === undefined || cp.size > last.size) await this.log.putMeta(`witness/${cp.origin}`, utf8.encode(noteText))
    const signature = { name: this.signer.name, keyId: this.signer.keyId, signature: this.signer.cosign(utf8.encode(text), Math.floor(this.now() / 1000)) }
    this.onCosigned?.(logKey.publicKey, noteText)
    return { ok: true, signature }
  }

  /**
   * Records an equivocation (two notes, both verified by the caller as the log's); `found` is given when this site
   * found it (then the node gossips the proof), absent when it learnt it from an accepted AuditEquivocation.
   */
  async recordEquivocation(origin: string, a: string, b: string, found?: { logKey: Uint8Array; proof?: readonly Uint8Array[] }): Promise<void> {
    const key = `equivocation/${origin}`
    if ((await this.log.getMeta(key)) !== undefined) return
    const e: Equivocation = { origin, a, b, at: this.now() }
    await this.log.putMeta(key, utf8.encode(JSON.stringify(e)))
    if (found !== undefined) this.onEquivocation?.({ ...e, ...found })
  }
}

