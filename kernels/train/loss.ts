/**
 * The LM head's loss: softmax cross-entropy of each row's logits against its target token, in binary64
 * (specs/lasa.md §12). Rows whose target is −1 take no part.
 */

/**
 * Returns Σ −log softmax(logits_i)[target_i] over the rows with a target, and writes
 * dlogits (n, vocab) = scale · (softmax − onehot) (0 for rows without a target).
 */
export function crossEntropy(dlogits: Float64Array | null, logits: Float64Array, targets: Int32Array, n: number, vocab: number, scale: number): number {
  let loss = 0
  for (let i = 0; i < n; i++) {
    const b = i * vocab
    const t = targets[i]!
    if (t < 0) {
      if (dlogits !== null) dlogits.fill(0, b, b + vocab)
      continue
    }
    let max = -Infinity
    for (let v = 0; v < vocab; v++) if (logits[b + v]! > max) max = logits[b + v]!
    let sum = 0
    for (let v = 0; v < vocab; v++) sum += Math.exp(logits[b + v]! - max)
    const lse = max + Math.log(sum)
    loss += lse - logits[b + t]!
    if (dlogits !== null) {
      for (let v = 0; v < vocab; v++) dlogits[b + v] = scale * Math.exp(logits[b + v]! - lse)
      dlogits[b + t]! -= scale
    }
  }
  return loss
}
