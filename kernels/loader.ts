/**
 * loadModel(dir): config.json + model.safetensors (or shards listed in model.safetensors.index.json) → f32 Weights.
 * Every tensor the config implies must be present with its exact shape, in F32, F16 or BF16; nothing else may be
 * present (specs/lasa.md §Model directory). Reads tensor by tensor: memory is the weights plus one tensor's bytes.
 */
import { createHash } from 'node:crypto'
import { closeSync, existsSync, fstatSync, openSync, readFileSync, readSync, statSync } from 'node:fs'
import { join } from 'node:path'
import { parseConfig, type Config } from './config.ts'
import { MAX_CONFIG_BYTES } from './constants.ts'
import { ModelError } from './errors.ts'
import { FLOAT_DTYPES, headerLength, parseHeader, toF32, type TensorInfo } from './safetensors.ts'
import { allocateWeights, slotView, tensorSlots, type TensorSlot, type Weights } from './weights.ts'

export interface Model {
  config: Config
  weights: Weights
}

/**
 * What the loader read, tensor by tensor: the inputs of one weights-root leaf (specs/aip-v1.md §4.6: name, dtype,
 * shape, SHA-256 of the raw stored bytes). node/model/weights-root.ts builds the root from these, so the root a
 * result commits to is computed from the very bytes the engine evaluated (one read; specs/evaluation-v1.md §6).
 */
export interface TensorDigest {
  name: string
  dtype: string
  shape: number[]
  sha256: Uint8Array // 32 bytes
}

/** A tensor located in one file of a model. */
export interface LocatedTensor extends TensorInfo {
  file: string
  dataStart: number // file offset of the data section
}

function readExactly(fd: number, length: number, position: number, what: string): Buffer {
  const buf = Buffer.allocUnsafe(length)
  let done = 0
  while (done < length) {
    const n = readSync(fd, buf, done, length - done, position + done)
    if (n === 0) throw new ModelError('truncated', `unexpected end of file while reading ${what}`)
    done += n
  }
  return buf
}

/** Reads and validates the header of one safetensors file. */
export function readHeader(file: string): LocatedTensor[] {
  let fd: number
  try {
    fd = openSync(file, 'r')
  } catch (e) {
    throw new ModelError('io', `cannot open ${file}: ${(e as Error).message}`)
  }
  try {
    const size = fstatSync(fd).size
    const len = headerLength(size >= 8 ? readExactly(fd, 8, 0, 'the header length') : new Uint8Array(0), size)
    const header = parseHeader(readExactly(fd, len, 8, 'the header'), size - 8 - len)
    return header.tensors.map((t) => ({ ...t, file, dataStart: header.dataStart }))
  } finally {
    closeSync(fd)
  }
}

/**
 * The safetensors files of a model: `path` itself when it is a file; else DIR/model.safetensors; else the shards
 * named in DIR/model.safetensors.index.json (weight_map values, deduplicated, sorted).
 */
export function modelFiles(path: string): string[] {
  let st
  try {
    st = statSync(path)
  } catch (e) {
    throw new ModelError('io', `cannot read ${path}: ${(e as Error).message}`)
  }
  if (st.isFile()) return [path]
  const single = join(path, 'model.safetensors')
  if (existsSync(single)) return [single]
  const indexPath = join(path, 'model.safetensors.index.json')
  if (!existsSync(indexPath)) throw new ModelError('io', `${path} has neither model.safetensors nor model.safetensors.index.json`)
  let index: unknown
  try {
    index = JSON.parse(readFileSync(indexPath, 'utf8'))
  } catch (e) {
    throw new ModelError('io', `cannot parse ${indexPath}: ${(e as Error).message}`)
  }
  const map = (index as { weight_map?: unknown } | null)?.weight_map
  if (typeof map !== 'object' || map === null) throw new ModelError('io', `${indexPath} has no weight_map object`)
  const files = new Set<string>()
  for (const v of Object.values(map)) {
    if (typeof v !== 'string' || v.includes('/') || v.includes('\\') || v.startsWith('.')) throw new ModelError('io', `${indexPath}: bad shard file name ${JSON.stringify(v)}`)
    files.add(v)
  }
  return [...files].sort().map((f) => join(path, f))
}

/** All tensors of a model across its files, by name; a duplicate name is an error. */
export function locateTensors(path: string): Map<string, LocatedTensor> {
  const out = new Map<string, LocatedTensor>()
  for (const file of modelFiles(path)) {
    for (const t of readHeader(file)) {
      if (out.has(t.name)) throw new ModelError('duplicate_tensor', `appears in both ${out.get(t.name)!.file} and ${file}`, t.name)
      out.set(t.name, t)
    }
  }
  return out
}

/** Reads and parses DIR/config.json. */
export function readConfig(dir: string): Config {
  const path = join(dir, 'config.json')
  let text: string
  try {
    if (statSync(path).size > MAX_CONFIG_BYTES) throw new ModelError('bad_config', `config.json exceeds ${MAX_CONFIG_BYTES} bytes`)
    text = readFileSync(path, 'utf8')
  } catch (e) {
    if (e instanceof ModelError) throw e
    throw new ModelError('io', `cannot read ${path}: ${(e as Error).message}`)
  }
  let json: unknown
  try {
    json = JSON.parse(text)
  } catch (e) {
    throw new ModelError('bad_config', `config.json is not JSON: ${(e as Error).message}`)
  }
  return parseConfig(json)
}

/** Loads a model directory. Throws ModelError (naming the tensor) on any inconsistency. */
export function loadModel(dir: string): Model {
  return loadModelHashed(dir).model
}

/** loadModel, also returning the SHA-256 of every tensor's stored bytes, hashed from the same read. */
export function loadModelHashed(dir: string): { model: Model; digests: TensorDigest[] } {
  const config = readConfig(dir)
  const found = locateTensors(dir)
  // Check everything before allocating the weights; stop at the first missing tensor (a hostile config that
  // implies billions of tensors is refused after at most found.size + 1 steps).
  const slots: TensorSlot[] = []
  for (const s of tensorSlots(config)) {
    const t = found.get(s.name)
    if (t === undefined) throw new ModelError('missing_tensor', 'missing', s.name)
    if (t.shape.length !== s.shape.length || t.shape.some((d, i) => d !== s.shape[i])) {
      throw new ModelError('wrong_shape', `shape [${t.shape.join(', ')}], expected [${s.shape.join(', ')}]`, s.name)
    }
    if (!FLOAT_DTYPES.includes(t.dtype)) throw new ModelError('unknown_dtype', `dtype '${t.dtype}' cannot be loaded (F32, F16 or BF16 required)`, s.name)
    slots.push(s)
  }
  const names = new Set(slots.map((s) => s.name))
  for (const name of found.keys()) if (!names.has(name)) throw new ModelError('unexpected_tensor', 'not part of this architecture', name)

  const weights = allocateWeights(config)
  const fds = new Map<string, number>()
  const digests: TensorDigest[] = []
  try {
    for (const s of slots) {
      const t = found.get(s.name)!
      let fd = fds.get(t.file)
      if (fd === undefined) fds.set(t.file, (fd = openSync(t.file, 'r')))
      const raw = readExactly(fd, t.end - t.begin, t.dataStart + t.begin, s.name)
      digests.push({ name: s.name, dtype: t.dtype, shape: [...t.shape], sha256: new Uint8Array(createHash('sha256').update(raw).digest()) })
      toF32(raw, t.dtype, slotView(weights, s), s.name)
    }
  } finally {
    for (const fd of fds.values()) closeSync(fd)
  }
  return { model: { config, weights }, digests }
}
