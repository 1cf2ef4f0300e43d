/**
 * RFC 4180 CSV, strictly: a header row names the columns; fields are plain or double-quoted (a quote inside a quoted
 * field is doubled); CRLF or LF line ends. Every row has as many fields as the header. Empty fields are absent.
 */

/** A data row as an object of its non-empty fields, with its 1-based line number. */
export interface CsvRow { line: number; row: Record<string, string> }

export class CsvError extends Error {
  constructor(readonly line: number, message: string) {
    super(`line ${line}: ${message}`)
    this.name = 'CsvError'
  }
}

/** Splits CSV text into records of fields, each with the line it starts on. */
function records(text: string): { line: number; fields: string[] }[] {
  const out: { line: number; fields: string[] }[] = []
  let line = 1
  let i = 0
  while (i < text.length) {
    const start = line
    const fields: string[] = []
    for (;;) {
      let f = ''
      if (text[i] === '"') {
        i++
        for (;;) {
          if (i >= text.length) throw new CsvError(start, 'unterminated quoted field')
          const c = text[i]!
          if (c === '"') {
            if (text[i + 1] === '"') { f += '"'; i += 2; continue }
            i++
            break
          }
          if (c === '\n') line++
          f += c
          i++
        }
        if (i < text.length && text[i] !== ',' && text[i] !== '\n' && text[i] !== '\r') throw new CsvError(line, 'text after a closing quote')
      } else {
        while (i < text.length && text[i] !== ',' && text[i] !== '\n' && text[i] !== '\r') {
          if (text[i] === '"') throw new CsvError(line, 'a quote inside an unquoted field')
          f += text[i++]
        }
      }
      fields.push(f)
      if (text[i] === ',') { i++; continue }
      if (text[i] === '\r') i++
      if (text[i] === '\n') { i++; line++ }
      break
    }
    if (!(fields.length === 1 && fields[0] === '')) out.push({ line: start, fields })
  }
  return out
}

export function parseCsv(text: string): CsvRow[] {
  const recs = records(text)
  if (recs.length === 0) return []
  const header = recs[0]!.fields
  if (new Set(header).size !== header.length) throw new CsvError(1, 'a column is named twice')
  return recs.slice(1).map(({ line, fields }) => {
    if (fields.length !== header.length) throw new CsvError(line, `${fields.length} fields, the header has ${header.length}`)
    const row: Record<string, string> = {}
    header.forEach((h, j) => { if (fields[j] !== '') row[h] = fields[j]! })
    return { line, row }
  })
}

const quote = (v: unknown): string => {
  const s = v === undefined ? '' : String(v)
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s
}

export function toCsv(columns: string[], rows: Record<string, unknown>[]): string {
  return [columns.map(quote).join(','), ...rows.map((r) => columns.map((c) => quote(r[c])).join(','))].join('\r\n') + '\r\n'
}
