/** SVG interval plots: one band per category, one row per site — a line from the interval's low to high end, a dot at the score. */
import { h } from 'preact'
import type { ComponentChild as VNode } from 'preact'

export interface Series {
  label: string
  /** category → [score, low, high] in parts per million */
  values: Map<string, [number, number, number]>
}

/** Colour-blind-safe (Okabe–Ito), dark enough on white. */
export const PALETTE = ['#0072B2', '#D55E00', '#009E73', '#CC79A7', '#8a6d00', '#56B4E9', '#000000']

const W = 640, LEFT = 170, RIGHT = 16, ROW = 12, GAP = 10, TOP = 22

export function intervalPlot(title: string, categories: string[], series: Series[]): VNode {
  const band = series.length * ROW + GAP
  const height = TOP + categories.length * band + 8
  const x = (ppm: number): number => LEFT + (ppm / 1_000_000) * (W - LEFT - RIGHT)
  const ticks = [0, 250_000, 500_000, 750_000, 1_000_000]
  const desc = categories.map((c) => `${c}: ${series.map((s) => { const v = s.values.get(c); return v === undefined ? `${s.label} none` : `${s.label} ${pct(v[0])} [${pct(v[1])}, ${pct(v[2])}]` }).join('; ')}`).join('. ')
  return h('svg', { class: 'plot', viewBox: `0 0 ${W} ${height}`, width: W, height, role: 'img', 'aria-label': `${title}. ${desc}` },
    ticks.map((t) => h('g', { key: t },
      h('line', { x1: x(t), x2: x(t), y1: TOP - 4, y2: height - 8, class: 'grid' }),
      h('text', { x: x(t), y: TOP - 8, 'text-anchor': 'middle', class: 'tick' }, pct(t)))),
    categories.map((c, ci) => {
      const y0 = TOP + ci * band
      return h('g', { key: c },
        h('text', { x: LEFT - 8, y: y0 + (series.length * ROW) / 2 + 4, 'text-anchor': 'end', class: 'cat' }, c),
        series.map((s, si) => {
          const v = s.values.get(c)
          if (v === undefined) return null
          const y = y0 + si * ROW + ROW / 2
          const colour = PALETTE[si % PALETTE.length]
          return h('g', { key: s.label },
            h('title', null, `${s.label} · ${c}: ${pct(v[0])} (95% Wilson interval ${pct(v[1])}–${pct(v[2])})`),
            h('line', { x1: x(v[1]), x2: x(v[2]), y1: y, y2: y, stroke: colour, 'stroke-width': 2 }),
            h('circle', { cx: x(v[0]), cy: y, r: 3.5, fill: colour }))
        }))
    }))
}

export function pct(ppm: number): string {
  return `${(ppm / 10_000).toFixed(ppm % 10_000 === 0 ? 0 : 1)}%`
}
