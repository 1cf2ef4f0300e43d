/**
 * Central finite differences in binary64, for the training gradient checks: analytic d f / d x[i] against
 * (f(x + h) − f(x − h)) / 2h for every `every`-th i, within `tol` × max(1, max |g|). Returns how many were checked.
 */
import assert from 'node:assert/strict'

export const FD_STEP = 1e-6

export function checkFiniteDifference(name: string, x: Float64Array, analytic: Float64Array, f: () => number, tol = 1e-6, every = 1): number {
  let maxG = 0
  for (const g of analytic) maxG = Math.max(maxG, Math.abs(g))
  let checked = 0
  for (let i = 0; i < x.length; i += every) {
    const old = x[i]!
    x[i] = old + FD_STEP
    const fp = f()
    x[i] = old - FD_STEP
    const fm = f()
    x[i] = old
    const fd = (fp - fm) / (2 * FD_STEP)
    assert.ok(Math.abs(fd - analytic[i]!) <= tol * Math.max(1, maxG), `${name}[${i}]: analytic ${analytic[i]} vs finite difference ${fd}`)
    checked++
  }
  return checked
}
