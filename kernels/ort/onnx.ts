/**
 * A small ONNX graph builder over onnx-proto: nodes, f32/i64 initializers, typed inputs and outputs, and the
 * serialised ModelProto that onnxruntime-node loads from memory. No Python, no files.
 */
import onnxProto from 'onnx-proto'

const { onnx } = onnxProto

/** ONNX IR version and default-domain opset the graphs are written against (ScatterND reduction needs ≥ 16). */
export const ONNX_IR_VERSION = 8
export const ONNX_OPSET = 17

/** An attribute value: tagged so that 1 (int) and 1.0 (float) stay distinct. */
export type Attr = { i: number } | { f: number } | { ints: number[] } | { s: string }

export type ElemType = 'float32' | 'int64'

const ELEM: Record<ElemType, number> = { float32: onnx.TensorProto.DataType.FLOAT, int64: onnx.TensorProto.DataType.INT64 }

function attribute(name: string, a: Attr): onnxProto.onnx.IAttributeProto {
  const T = onnx.AttributeProto.AttributeType
  if ('i' in a) return { name, type: T.INT, i: a.i }
  if ('f' in a) return { name, type: T.FLOAT, f: a.f }
  if ('ints' in a) return { name, type: T.INTS, ints: a.ints }
  return { name, type: T.STRING, s: new TextEncoder().encode(a.s) }
}

function valueInfo(name: string, elem: ElemType, dims: (number | string)[]): onnxProto.onnx.IValueInfoProto {
  const dim = dims.map((d) => (typeof d === 'number' ? { dimValue: d } : { dimParam: d }))
  return { name, type: { tensorType: { elemType: ELEM[elem], shape: { dim } } } }
}

/** Builds one graph. Every value name it generates is unique; initializer names are the caller's (unique per layer). */
export class GraphBuilder {
  private readonly nodes: onnxProto.onnx.INodeProto[] = []
  private readonly inits: onnxProto.onnx.ITensorProto[] = []
  private readonly inputs: onnxProto.onnx.IValueInfoProto[] = []
  private readonly outputs: onnxProto.onnx.IValueInfoProto[] = []
  private readonly names = new Set<string>()
  private readonly shared = new Map<string, string>() // name → value of a shared constant
  private count = 0
  private usesMs = false

  /** Adds node `type` and returns its output names (`outputs` of them, or the names given). */
  op(type: string, inputs: string[], attrs: Record<string, Attr> = {}, outputs: number | string[] = 1, domain = ''): string[] {
    const id = this.count++
    const outs = typeof outputs === 'number' ? Array.from({ length: outputs }, (_, k) => `${type}_${id}_${k}`) : outputs
    for (const o of outs) this.claim(o)
    if (domain === 'com.microsoft') this.usesMs = true
    this.nodes.push({
      opType: type,
      domain,
      name: `${type}_${id}`,
      input: inputs,
      output: outs,
      attribute: Object.entries(attrs).map(([k, v]) => attribute(k, v)),
    })
    return outs
  }

  /** Single-output shorthand for op(). */
  op1(type: string, inputs: string[], attrs: Record<string, Attr> = {}): string {
    return this.op(type, inputs, attrs)[0]!
  }

  /** A constant tensor stored in the model (weights, shapes, indices). */
  init(name: string, dims: number[], data: Float32Array | BigInt64Array): string {
    this.claim(name)
    const elem: ElemType = data instanceof Float32Array ? 'float32' : 'int64'
    const raw = new Uint8Array(data.buffer, data.byteOffset, data.byteLength).slice() // little-endian, as ONNX stores raw_data
    this.inits.push({ name, dims, dataType: ELEM[elem], rawData: raw })
    return name
  }

  /** An int64 constant (shapes, axes, indices); named by the caller so repeated use can share it. */
  ints(name: string, values: number[]): string {
    return this.share(name, `i${values.join(',')}`, () => this.init(name, [values.length], BigInt64Array.from(values.map(BigInt))))
  }

  /** A float scalar constant shared by name. */
  scalar(name: string, value: number): string {
    return this.share(name, `f${value}`, () => this.init(name, [], Float32Array.of(value)))
  }

  private share(name: string, value: string, make: () => string): string {
    const seen = this.shared.get(name)
    if (seen === undefined) {
      this.shared.set(name, value)
      return make()
    }
    if (seen !== value) throw new Error(`constant ${name} redefined with a different value`)
    return name
  }

  /** Whether a value, initializer or input of this name exists already. */
  has(name: string): boolean {
    return this.names.has(name)
  }

  input(name: string, elem: ElemType, dims: (number | string)[]): string {
    this.claim(name)
    this.inputs.push(valueInfo(name, elem, dims))
    return name
  }

  /** Declares the existing value `name` a graph output. */
  declareOutput(name: string, elem: ElemType, dims: (number | string)[]): void {
    if (!this.names.has(name)) throw new Error(`no value named ${name}`)
    this.outputs.push(valueInfo(name, elem, dims))
  }

  /** Declares `value` a graph output under `name` (an Identity node renames it). */
  output(value: string, name: string, elem: ElemType, dims: (number | string)[]): void {
    this.op('Identity', [value], {}, [name])
    this.outputs.push(valueInfo(name, elem, dims))
  }

  /** The serialised ModelProto. */
  encode(graphName: string): Uint8Array {
    const opsetImport: onnxProto.onnx.IOperatorSetIdProto[] = [{ domain: '', version: ONNX_OPSET }]
    if (this.usesMs) opsetImport.push({ domain: 'com.microsoft', version: 1 })
    const model = onnx.ModelProto.create({
      irVersion: ONNX_IR_VERSION,
      producerName: 'aip-kernels-ort',
      opsetImport,
      graph: { name: graphName, node: this.nodes, initializer: this.inits, input: this.inputs, output: this.outputs },
    })
    return onnx.ModelProto.encode(model).finish()
  }

  private claim(name: string): void {
    if (this.names.has(name)) throw new Error(`duplicate ONNX value name ${name}`)
    this.names.add(name)
  }
}
