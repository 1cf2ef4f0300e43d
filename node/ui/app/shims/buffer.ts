/**
 * Injected into the browser bundle: protocol/ uses Node's Buffer for hex and byte comparisons. The `buffer` package
 * follows Node except that `equals` refuses a plain Uint8Array (Node accepts one; keys.ts relies on it).
 */
import { Buffer } from 'buffer'

const equals = Buffer.prototype.equals
Buffer.prototype.equals = function (this: Buffer, other: Uint8Array): boolean {
  return equals.call(this, Buffer.isBuffer(other) ? other : Buffer.from(other.buffer, other.byteOffset, other.byteLength))
}

export { Buffer }
