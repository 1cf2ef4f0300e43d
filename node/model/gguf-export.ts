/**
 * `aip model export --gguf`: a plain Mixtral model directory written as one GGUF file (specs/gguf-commitment.md §4),
 * header first, then one tensor at a time, into a temporary file renamed into place when complete.
 */
import { closeSync, openSync, renameSync, rmSync, writeSync } from 'node:fs'
import { basename, resolve } from 'node:path'
import { ggufLayout, loadModel, mixtralGguf, paddingAfter } from '../../kernels/index.ts'
import type { GgufDtype, GgufTensorSource, GgufValue } from '../../kernels/index.ts'

/** Writes metadata + tensors as GGUF to `out` (atomically: `out`.tmp-PID, then rename). Returns the file size. */
export function writeGguf(out: string, metadata: ReadonlyMap<string, GgufValue>, tensors: readonly GgufTensorSource[]): number {
  const layout = ggufLayout(metadata, tensors)
  const tmp = `${out}.tmp-${process.pid}`
  const fd = openSync(tmp, 'w')
  let size = 0
  try {
    const put = (b: Uint8Array): void => {
      let at = 0
      while (at < b.length) at += writeSync(fd, b, at, b.length - at)
      size += b.length
    }
    put(layout.header)
    tensors.forEach((t, i) => {
      const data = t.data()
      if (data.length !== layout.bytes[i]) throw new RangeError(`tensor ${t.name}: ${data.length} bytes, expected ${layout.bytes[i]}`)
      put(data)
      if (i + 1 < tensors.length) put(new Uint8Array(paddingAfter(data.length, layout.alignment)))
    })
  } catch (e) {
    closeSync(fd)
    rmSync(tmp, { force: true })
    throw e
  }
  closeSync(fd)
  renameSync(tmp, out)
  return size
}

/** Exports the model directory `dir` (config.json + safetensors; plain Mixtral only) to the GGUF file `out`. */
export function exportGguf(dir: string, out: string, dtype: GgufDtype = 'f32'): { bytes: number; tensors: number } {
  const model = loadModel(dir)
  const { metadata, tensors } = mixtralGguf(model.config, model.weights, dtype, basename(resolve(dir)))
  return { bytes: writeGguf(out, metadata, tensors), tensors: tensors.length }
}
