/** Minimal inline-SVG plots for report.html: no external assets, no scripts. */

export interface Series {
  label: string
  color: string
  points: [number, number][]
}

const W = 640
const H = 280
const M = { l: 60, r: 16, t: 16, b: 40 }

export function esc(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] as string)
}

/** Round axis maximum: 1, 2 or 5 × 10^k ≥ v. */
function niceMax(v: number): number {
  if (v <= 0) return 1
  const p = 10 ** Math.floor(Math.log10(v))
  for (const m of [1, 2, 5, 10]) if (m * p >= v) return m * p
  return 10 * p
}

function fmt(v: number): string {
  if (v >= 1e9) return `${+(v / 1e9).toFixed(1)}G`
  if (v >= 1e6) return `${+(v / 1e6).toFixed(1)}M`
  if (v >= 1e3) return `${+(v / 1e3).toFixed(1)}k`
  return `${+v.toFixed(2)}`
}

function axes(xMax: number, yMax: number, xLabel: string, yLabel: string): string {
  const pw = W - M.l - M.r
  const ph = H - M.t - M.b
  let s = `<rect x="${M.l}" y="${M.t}" width="${pw}" height="${ph}" fill="none" stroke="#999"/>`
  for (let i = 0; i <= 4; i++) {
    const x = M.l + (pw * i) / 4
    const y = M.t + ph - (ph * i) / 4
    s += `<line x1="${x}" y1="${M.t}" x2="${x}" y2="${M.t + ph}" stroke="#eee"/><text x="${x}" y="${H - M.b + 16}" font-size="11" text-anchor="middle">${fmt((xMax * i) / 4)}</text>`
    s += `<line x1="${M.l}" y1="${y}" x2="${M.l + pw}" y2="${y}" stroke="#eee"/><text x="${M.l - 6}" y="${y + 4}" font-size="11" text-anchor="end">${fmt((yMax * i) / 4)}</text>`
  }
  s += `<text x="${M.l + pw / 2}" y="${H - 6}" font-size="12" text-anchor="middle">${esc(xLabel)}</text>`
  s += `<text x="14" y="${M.t + ph / 2}" font-size="12" text-anchor="middle" transform="rotate(-90 14 ${M.t + ph / 2})">${esc(yLabel)}</text>`
  return s
}

function svg(title: string, body: string): string {
  return `<figure><svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${W} ${H}" width="${W}" height="${H}" role="img" aria-label="${esc(title)}">${body}</svg><figcaption>${esc(title)}</figcaption></figure>`
}

/** Line plot; steps=true draws each series as a staircase (CDFs, counters). */
export function linePlot(title: string, series: Series[], xLabel: string, yLabel: string, opts: { steps?: boolean; yMax?: number; legend?: [string, string][] } = {}): string {
  const xs = series.flatMap((s) => s.points.map((p) => p[0]))
  const ys = series.flatMap((s) => s.points.map((p) => p[1]))
  const xMax = niceMax(Math.max(1, ...xs))
  const yMax = opts.yMax ?? niceMax(Math.max(1, ...ys))
  const pw = W - M.l - M.r
  const ph = H - M.t - M.b
  const X = (x: number): string => (M.l + (pw * x) / xMax).toFixed(1)
  const Y = (y: number): string => (M.t + ph - (ph * y) / yMax).toFixed(1)
  let body = axes(xMax, yMax, xLabel, yLabel)
  for (const s of series) {
    if (s.points.length === 0) continue
    const pts: string[] = []
    let prev: [number, number] | undefined
    for (const p of s.points) {
      if (opts.steps === true && prev != null) pts.push(`${X(p[0])},${Y(prev[1])}`)
      pts.push(`${X(p[0])},${Y(p[1])}`)
      prev = p
    }
    body += `<polyline fill="none" stroke="${s.color}" stroke-width="1.5" stroke-opacity="0.8" points="${pts.join(' ')}"><title>${esc(s.label)}</title></polyline>`
  }
  return svg(title, body + legend(opts.legend ?? series.map((x) => [x.label, x.color])))
}

/** Vertical bars, one per label. */
export function barPlot(title: string, bars: { label: string; value: number; color: string }[], yLabel: string): string {
  const yMax = niceMax(Math.max(1, ...bars.map((b) => b.value)))
  const pw = W - M.l - M.r
  const ph = H - M.t - M.b
  let body = axes(bars.length, yMax, 'sites', yLabel).replace(/<text x="[^"]*" y="[^"]*" font-size="11" text-anchor="middle">[^<]*<\/text>/g, '')
  const bw = pw / Math.max(1, bars.length)
  bars.forEach((b, i) => {
    const h = (ph * b.value) / yMax
    body += `<rect x="${(M.l + i * bw + bw * 0.1).toFixed(1)}" y="${(M.t + ph - h).toFixed(1)}" width="${Math.max(0.5, bw * 0.8).toFixed(1)}" height="${h.toFixed(1)}" fill="${b.color}"><title>${esc(`${b.label}: ${b.value}`)}</title></rect>`
    if (bars.length <= 20) body += `<text x="${(M.l + (i + 0.5) * bw).toFixed(1)}" y="${H - M.b + 14}" font-size="10" text-anchor="middle">${esc(b.label)}</text>`
  })
  return svg(title, body)
}

/**
 * Scores with intervals: one column per label, the score as a dot and its interval as a whisker, on a 0–100 % axis
 * (per-category Wilson intervals of one site's result).
 */
export function intervalPlot(title: string, rows: { label: string; score: number; low: number; high: number }[], color: string, yLabel: string): string {
  const pw = W - M.l - M.r
  const ph = H - M.t - M.b
  let body = axes(rows.length, 100, '', yLabel).replace(/<text x="[^"]*" y="[^"]*" font-size="11" text-anchor="middle">[^<]*<\/text>/g, '')
  const bw = pw / Math.max(1, rows.length)
  const Y = (v: number): string => (M.t + ph - (ph * v) / 100).toFixed(1)
  rows.forEach((r, i) => {
    const x = (M.l + (i + 0.5) * bw).toFixed(1)
    body += `<g><title>${esc(`${r.label}: ${r.score.toFixed(1)} % [${r.low.toFixed(1)}, ${r.high.toFixed(1)}]`)}</title>`
    body += `<line x1="${x}" y1="${Y(r.low)}" x2="${x}" y2="${Y(r.high)}" stroke="${color}" stroke-width="1.5"/>`
    for (const v of [r.low, r.high]) body += `<line x1="${(M.l + (i + 0.3) * bw).toFixed(1)}" y1="${Y(v)}" x2="${(M.l + (i + 0.7) * bw).toFixed(1)}" y2="${Y(v)}" stroke="${color}"/>`
    body += `<circle cx="${x}" cy="${Y(r.score)}" r="3" fill="${color}"/></g>`
    body += `<text x="${x}" y="${H - M.b + 12}" font-size="8" text-anchor="end" transform="rotate(-30 ${x} ${H - M.b + 12})">${esc(r.label.slice(0, 14))}</text>`
  })
  return svg(title, body)
}

function legend(entries: [string, string][]): string {
  if (entries.length > 8 || entries.length < 2) return ''
  return entries.map(([label, color], i) =>
    `<rect x="${M.l + 8}" y="${M.t + 6 + i * 14}" width="10" height="3" fill="${color}"/><text x="${M.l + 22}" y="${M.t + 10 + i * 14}" font-size="10">${esc(label)}</text>`).join('')
}
