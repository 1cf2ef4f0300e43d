/** alignment-v1 §5: each detector finds a valid example and ignores the same text with a wrong check digit. */
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { detect, reportDigest, scrub } from '../../../node/align/scrub.ts'

const NATIONS = ['CH', 'DE', 'EE', 'FR', 'IT']
const found = (s: string): string[] => detect(s, NATIONS).map((h) => h.detector)

test('valid identifiers are found; a wrong check digit is not', () => {
  const cases: [string, string, string][] = [
    ['ch_ahv', 'AHV 756.9217.0769.85', 'AHV 756.9217.0769.86'],
    ['de_steuer_id', 'Steuer-ID 86095742719', 'Steuer-ID 86095742718'],
    ['fr_nir', 'NIR 1 84 12 76 451 089 46', 'NIR 1 84 12 76 451 089 47'],
    ['it_codice_fiscale', 'CF RSSMRA85T10A562S', 'CF RSSMRA85T10A562T'],
    ['ee_isikukood', 'isikukood 37605030299', 'isikukood 37605030298'],
    ['iban', 'IBAN CH93 0076 2011 6238 5295 7', 'IBAN CH93 0076 2011 6238 5295 8'],
    ['card', 'card 4111 1111 1111 1111', 'card 4111 1111 1111 1112'],
  ]
  for (const [detector, valid, invalid] of cases) {
    assert.ok(found(valid).includes(detector), `${detector}: ${valid}`)
    assert.ok(!found(invalid).includes(detector), `${detector} must not match ${invalid}`)
  }
})

test('e-mail, phone (international and national formats) and IP addresses are found; plain numbers are not', () => {
  assert.deepEqual(found('write to a.b@example.org'), ['email'])
  assert.deepEqual(found('call +41 44 668 18 00'), ['phone'])
  assert.deepEqual(found('call 044 668 18 00'), ['phone'])
  assert.deepEqual(found('hosts 192.168.1.20 and 2001:db8::1'), ['ip', 'ip'])
  assert.deepEqual(found('In 2026, 12345 people met at 10:30.'), [])
  assert.deepEqual(found('AHV 756.9217.0769.85'), ['ch_ahv'], 'an identifier is not also a phone number')
})

test('the report names item, field and offset with a masked excerpt; its digest changes with any hit', () => {
  const r = scrub('b1', [{ id: 'i1', language: 'en', prompt: 'ok', response: 'mail me: eve@example.org' }], NATIONS)
  assert.deepEqual(r.hits, [{ item: 'i1', field: 'response', detector: 'email', offset: 9, length: 15, excerpt: 'ev***********rg' }])
  assert.notEqual(reportDigest(r), reportDigest({ ...r, hits: [] }))
})
