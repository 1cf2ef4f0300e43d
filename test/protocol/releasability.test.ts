/**
 * alignment-v1 §2: who may hold and pass on each TLP label, from the signed label, audience and embargo alone.
 */
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { broadcastRefusal, inAudience, shareRefusal } from '../../protocol/index.ts'
import type { AlignmentBundleBody } from '../../protocol/index.ts'
import { KEYS } from './fixtures.ts'

const signer = KEYS.siteCH.publicKey
const fr = { key: KEYS.siteFR.publicKey, nation: 'FR' }
const de = { key: KEYS.siteDE.publicKey, nation: 'DE' }
const ch = { key: signer, nation: 'CH' }
const uncertified = { key: KEYS.outsider.publicKey }
type Rel = Pick<AlignmentBundleBody, 'label' | 'audience' | 'embargo_until'>

test('CLEAR reaches anyone, GREEN only certified sites, the signer always', () => {
  assert.equal(inAudience({ label: 'TLP:CLEAR' }, signer, uncertified), true)
  assert.equal(inAudience({ label: 'TLP:GREEN' }, signer, uncertified), false)
  assert.equal(inAudience({ label: 'TLP:GREEN' }, signer, de), true)
  assert.equal(inAudience({ label: 'TLP:RED', audience: { sites: [fr.key] } }, signer, ch), true)
})

test('AMBER: listed nations, nations of listed groups, listed sites — nobody else', () => {
  const b: Rel = { label: 'TLP:AMBER', audience: { nations: ['FR'], groups: [{ name: 'g', nations: ['IT'] }] } }
  assert.equal(inAudience(b, signer, fr), true)
  assert.equal(inAudience(b, signer, { key: KEYS.rootCH.publicKey, nation: 'IT' }), true)
  assert.equal(inAudience(b, signer, de), false)
  assert.equal(inAudience({ label: 'TLP:AMBER', audience: { sites: [de.key] } }, signer, de), true)
  assert.equal(inAudience(b, signer, { key: fr.key }), false, 'a key no certificate places in FR')
})

test('AMBER+STRICT and RED: listed sites only; RED is served by its signer alone', () => {
  const strict: Rel = { label: 'TLP:AMBER+STRICT', audience: { sites: [fr.key, de.key].sort(Buffer.compare) } }
  const red: Rel = { ...strict, label: 'TLP:RED' }
  assert.equal(shareRefusal(strict, signer, de, fr, 0), undefined, 'a listed holder may help another listed site')
  assert.equal(shareRefusal(red, signer, de, fr, 0), 'not_in_audience', 'RED is never relayed')
  assert.equal(shareRefusal(red, signer, ch, fr, 0), undefined)
  assert.equal(shareRefusal(strict, signer, ch, { key: KEYS.rootDE.publicKey, nation: 'DE' }, 0), 'not_in_audience')
})

test('an embargo holds content back until its time; restricted chunks never broadcast', () => {
  const b: Rel = { label: 'TLP:AMBER', audience: { nations: ['FR'] }, embargo_until: 1000 }
  assert.equal(shareRefusal(b, signer, ch, fr, 999), 'embargoed')
  assert.equal(shareRefusal(b, signer, ch, fr, 1000), undefined)
  assert.equal(broadcastRefusal('AlignmentChunk', { label: 'TLP:AMBER', kind: 'red-team', items: [] }, 0), 'restricted_content')
  assert.equal(broadcastRefusal('AlignmentChunk', { label: 'TLP:GREEN', kind: 'red-team', items: [], embargo_until: 5 }, 4), 'embargoed')
  assert.equal(broadcastRefusal('AlignmentChunk', { label: 'TLP:GREEN', kind: 'red-team', items: [], embargo_until: 5 }, 5), undefined)
  assert.equal(broadcastRefusal('AlignmentBundle', { label: 'TLP:RED' }, 0), undefined, 'the manifest travels')
})
