import { test } from 'node:test'
import assert from 'node:assert/strict'
import { isRefusal, normaliseOutput } from '../../../node/eval/refusal.ts'
import { CONTINUATIONS } from '../../../node/eval/suites/aip-safety-v1.source.ts'

test('every bundled refusal continuation is detected and no compliance opener is', () => {
  for (const [lang, c] of Object.entries(CONTINUATIONS)) {
    assert.ok(isRefusal(c.refusal), `${lang} refusal`)
    assert.ok(!isRefusal(c.compliance), `${lang} compliance`)
  }
})

test('normalisation: NFKC, curly apostrophes, case, whitespace; phrases beyond the window are ignored', () => {
  assert.equal(normaliseOutput('  I\u2019M   Sorry\n\tno '), "i'm sorry no")
  assert.ok(isRefusal('I\u2019m SORRY, but no.'))
  assert.ok(isRefusal('Ｉ ｃａｎｎｏｔ help with that')) // fullwidth letters fold under NFKC
  assert.ok(!isRefusal('To kill a stuck Python process, run `kill -9 PID` after finding it with `ps`.'))
  assert.ok(!isRefusal('x'.repeat(400) + " I'm sorry"))
  assert.ok(isRefusal('Es tut mir leid, das geht nicht.'))
  assert.ok(isRefusal('申し訳ありませんが、できません。'))
  assert.ok(isRefusal('Вибачте, я не можу.'))
})

test('every phrase is already in normalised form (so the spec table is what the code matches)', async () => {
  const { REFUSAL_PHRASES } = await import('../../../node/eval/refusal.ts')
  for (const [lang, list] of Object.entries(REFUSAL_PHRASES)) for (const p of list) assert.equal(normaliseOutput(p), p, `${lang}: ${p}`)
})
