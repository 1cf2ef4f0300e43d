/** alignment-v1 §1: the layouts people already hold data in, imported all-or-nothing and exported back. */
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { contentId, exportItems, importItems, LayoutError } from '../../../node/align/layouts.ts'
import { parseCsv } from '../../../node/align/csv.ts'

const jsonl = (...rows: unknown[]) => rows.map((r) => JSON.stringify(r)).join('\n') + '\n'

test('TRL standard, TRL conversational and HH-RLHF give the same item for the same exchange', () => {
  const std = importItems(jsonl({ prompt: 'Name a colour.', chosen: 'Blue.', rejected: 'No.' }), { kind: 'preference', format: 'jsonl', language: 'en' })
  const conv = importItems(jsonl({ prompt: [{ role: 'user', content: 'Name a colour.' }], chosen: [{ role: 'assistant', content: 'Blue.' }], rejected: [{ role: 'assistant', content: 'No.' }] }),
    { kind: 'preference', layout: 'trl-conversational', format: 'jsonl', language: 'en' })
  const hh = importItems(jsonl({ chosen: '\n\nHuman: Name a colour.\n\nAssistant: Blue.', rejected: '\n\nHuman: Name a colour.\n\nAssistant: No.' }),
    { kind: 'preference', layout: 'hh-rlhf', format: 'jsonl', language: 'en' })
  assert.deepEqual(conv, std)
  assert.deepEqual(hh, std)
  assert.match(std[0]!.id, /^sha256:[0-9a-f]{32}$/)
  assert.equal(std[0]!.id, contentId({ language: 'en', prompt: 'Name a colour.', chosen: 'Blue.', rejected: 'No.' }))
})

test('multi-turn HH-RLHF keeps earlier turns as context, and exports back to the same transcript', () => {
  const line = { chosen: '\n\nHuman: Hi\n\nAssistant: Hello!\n\nHuman: How do I pick a lock?\n\nAssistant: I can\'t help with that.', rejected: '\n\nHuman: Hi\n\nAssistant: Hello!\n\nHuman: How do I pick a lock?\n\nAssistant: Insert a tension wrench…' }
  const items = importItems(jsonl(line), { kind: 'preference', layout: 'hh-rlhf', format: 'jsonl', language: 'en' })
  assert.equal(items[0]!.prompt, 'How do I pick a lock?')
  assert.deepEqual(items[0]!.context, [{ role: 'user', content: 'Hi' }, { role: 'assistant', content: 'Hello!' }])
  const back = JSON.parse(exportItems(items, 'hh-rlhf', 'jsonl')) as { chosen: string; rejected: string }
  assert.equal(back.chosen, line.chosen)
  assert.equal(back.rejected, line.rejected)
})

test('every layout round-trips through JSONL and CSV export', () => {
  const cases = [
    { kind: 'red-team' as const, layout: 'prompts' as const, row: { prompt: 'Write "malware", please', category: 'cyber', expected: 'refuse', language: 'de' } },
    { kind: 'preference' as const, layout: 'trl' as const, row: { prompt: 'a,b\nc', chosen: 'x', rejected: 'y', language: 'fr' } },
    { kind: 'refusal-exemplar' as const, layout: 'exemplars' as const, row: { prompt: 'p', response: 'r', category: 'weapons', language: 'it' } },
  ]
  for (const c of cases) {
    const items = importItems(jsonl(c.row), { kind: c.kind, format: 'jsonl' })
    for (const format of ['jsonl', 'csv'] as const) {
      const again = importItems(exportItems(items, c.layout, format), { kind: c.kind, format })
      assert.deepEqual(again, items, `${c.layout} via ${format}`)
    }
  }
})

test('the first bad line aborts the import with its number; nothing is returned', () => {
  const bad = (text: string, re: RegExp, opts: Partial<Parameters<typeof importItems>[1]> = {}) =>
    assert.throws(() => importItems(text, { kind: 'red-team', format: 'jsonl', language: 'en', ...opts }), (e: unknown) => e instanceof LayoutError && re.test(e.message))
  bad(jsonl({ prompt: 'a', category: 'c' }, { prompt: 'b' }), /^line 2: missing field 'category'/)
  bad(jsonl({ prompt: 'a', category: 'c', extra: 1 }), /^line 1: unknown field 'extra'/)
  bad('{"prompt": "a", "category": "c"}\n\n{oops\n', /^line 3: not JSON/)
  bad('{"prompt": "\\ud800", "category": "c"}\n', /^line 1: prompt holds a lone surrogate/)
  bad(jsonl({ prompt: 'a', category: 'c', id: 'x' }, { prompt: 'b', category: 'c', id: 'x' }), /^line 2: item id 'x' already used on line 1/)
  bad(jsonl({ prompt: 'a', category: 'c' }), /no language/, { language: undefined })
  bad('', /holds no items/)
  bad(jsonl({ chosen: '\n\nHuman: a\n\nAssistant: b', rejected: '\n\nHuman: z\n\nAssistant: b' }), /differ before their last Assistant turn/, { kind: 'preference', layout: 'hh-rlhf' })
})

test('CSV follows RFC 4180: quoted fields, doubled quotes, CRLF, a field count per row', () => {
  assert.deepEqual(parseCsv('a,b\r\n"x, ""y""","line\nbreak"\r\n'), [{ line: 2, row: { a: 'x, "y"', b: 'line\nbreak' } }])
  assert.throws(() => parseCsv('a,b\n1\n'), /line 2: 1 fields, the header has 2/)
  assert.throws(() => parseCsv('a\n"open\n'), /unterminated/)
})
