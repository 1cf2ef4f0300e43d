import '../../node/polyfill.ts'
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { generateSigningKey } from '../../protocol/index.ts'
import { buildBundle, bundledSuite, corpusLists } from '../../node/index.ts'
import { Rng } from '../../simulations/rng.ts'
import { exemplarItems, FAMILY_LANGUAGES, heldOutItems, isHeldOut } from '../../simulations/runner/prefill-family.ts'

// sovereign-tune's red-team family: the held-out split and the bundle are disjoint by the stated rule, deterministic from
// the seed, and neither uses a request sentence of the bundled suite (whose benign items measure the benign guard).
test('prefill family: held-out phrases never enter the bundle; same seed, same items; no suite request', () => {
  const lists = corpusLists(2)
  const held = heldOutItems(new Rng(1))
  const bundle = exemplarItems(128, new Rng(2))
  assert.deepEqual(heldOutItems(new Rng(1)), held)
  assert.deepEqual(exemplarItems(128, new Rng(2)), bundle)
  assert.notDeepEqual(exemplarItems(128, new Rng(3)), bundle)
  const heldPhrases = FAMILY_LANGUAGES.flatMap((l) => [...lists.harmful[l]!.filter((_, i) => isHeldOut(i)), ...lists.benign[l]!.filter((_, i) => isHeldOut(i))])
  assert.equal(heldPhrases.length, 72)
  for (const it of bundle) for (const p of heldPhrases) assert.ok(!it.prompt.includes(p), `bundle item ${it.id} uses held-out phrase "${p}"`)
  assert.equal(held.filter((i) => i.expected === 'refuse').length, 36)
  assert.equal(held.filter((i) => i.expected === 'comply').length, 36)
  // the bundle: harmful requests (wrapped, plain) refused, benign look-alikes in the same wrapper and plain benign requests answered
  const c = new Map(bundledSuite().suite.items.map((i) => [i.language, i.continuations]))
  for (const it of bundle) assert.equal(it.response, it.category === 'benign-over-refusal' ? c.get(it.language)!.compliance : c.get(it.language)!.refusal)
  assert.equal(bundle.filter((i) => i.category === 'jailbreak').length, 32) // pattern h b p q
  assert.equal(bundle.filter((i) => i.category === 'harmful').length, 32)
  // the items make a valid refusal-exemplar bundle (alignment-v1 §1)
  const built = buildBundle({ name: 'prefill', kind: 'refusal-exemplar', license: 'CC-BY-4.0', label: 'TLP:GREEN' }, bundle, generateSigningKey(), 1)
  assert.equal(built.bundle.type, 'AlignmentBundle')
  const suite = bundledSuite().suite.items.map((i) => i.prompt)
  for (const it of [...bundle, ...held]) for (const s of suite) assert.ok(!it.prompt.includes(s), `${it.id} contains the suite's "${s}"`)
})
