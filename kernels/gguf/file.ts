/** A GGUF file on disk as a ByteSource for reader.ts (synchronous positional reads; only the header is read). */
import { closeSync, fstatSync, openSync, readSync } from 'node:fs'
import { ModelError } from '../errors.ts'
import { readGgufHeader, type ByteSource, type GgufHeader } from './reader.ts'

/** Reads and checks the header of the GGUF file at `path`. */
export function readGgufFile(path: string): GgufHeader {
  let fd: number
  try {
    fd = openSync(path, 'r')
  } catch (e) {
    throw new ModelError('io', `cannot open ${path}: ${(e as Error).message}`)
  }
  try {
    const size = fstatSync(fd).size
    const src: ByteSource = {
      size,
      read(position, length) {
        const b = new Uint8Array(length)
        let got = 0
        while (got < length) {
          const n = readSync(fd, b, got, length - got, position + got)
          if (n === 0) break
          got += n
        }
        return b.subarray(0, got)
      },
    }
    return readGgufHeader(src)
  } finally {
    closeSync(fd)
  }
}

/** True when the file at `path` starts with the GGUF magic. */
export function isGgufFile(path: string): boolean {
  try {
    const fd = openSync(path, 'r')
    try {
      const b = new Uint8Array(4)
      return readSync(fd, b, 0, 4, 0) === 4 && b[0] === 0x47 && b[1] === 0x47 && b[2] === 0x55 && b[3] === 0x46
    } finally {
      closeSync(fd)
    }
  } catch {
    return false
  }
}
