/** Reads a model directory's weight files (*.safetensors, *.bin, *.onnx, *.gguf) for a WeightIndex. */
import { readdir, readFile } from 'node:fs/promises'
import { join } from 'node:path'
import type { WeightFile } from './weight-index.ts'

const WEIGHT_FILE = /\.(safetensors|bin|onnx|gguf|pt|npy)$/i

export async function loadWeightFiles(dir: string): Promise<WeightFile[]> {
  const names = (await readdir(dir)).filter((n) => WEIGHT_FILE.test(n)).sort()
  return Promise.all(names.map(async (name) => ({ name, bytes: new Uint8Array(await readFile(join(dir, name))) })))
}
