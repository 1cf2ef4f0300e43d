/**
 * The byte-level tokenizer (specs/lasa.md §Tokenizer): ids 0–255 are the UTF-8 bytes of the text, special tokens
 * start at 256 (BOS_ID = 256, EOS_ID = 257). Multilingual by construction; no vocabulary file.
 */
import { BOS_ID, BYTE_TOKENS, EOS_ID } from './constants.ts'

export { BOS_ID, EOS_ID }

/** UTF-8 bytes of `text` as token ids, optionally preceded by BOS. */
export function encode(text: string, bos = false): number[] {
  const bytes = new TextEncoder().encode(text)
  const out = bos ? [BOS_ID] : []
  for (const b of bytes) out.push(b)
  return out
}

/** Text of the byte tokens in `ids`; special tokens are skipped; invalid UTF-8 becomes U+FFFD. */
export function decode(ids: readonly number[]): string {
  return new TextDecoder('utf-8').decode(Uint8Array.from(ids.filter((t) => t >= 0 && t < BYTE_TOKENS)))
}

/**
 * Incremental decoding for streaming: push token ids, get the text completed so far (a multi-byte character
 * is held back until its last byte arrives).
 */
export class StreamDecoder {
  private readonly decoder = new TextDecoder('utf-8')

  push(id: number): string {
    if (id < 0 || id >= BYTE_TOKENS) return ''
    return this.decoder.decode(Uint8Array.of(id), { stream: true })
  }

  flush(): string {
    return this.decoder.decode()
  }
}

/** Throws RangeError unless every token is an integer id in [0, vocab). */
export function checkTokens(tokens: readonly number[], vocab: number): void {
  for (const t of tokens) {
    if (!Number.isInteger(t) || t < 0 || t >= vocab) throw new RangeError(`token ${t} is not an id in [0, ${vocab})`)
  }
}
