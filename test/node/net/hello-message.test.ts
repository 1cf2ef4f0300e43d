import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { HELLO_MAX_BYTES, HELLO_MAX_FEDERATION_RECORDS } from '../../../node/net/constants.ts'
import { decodeHello, encodeHello, HelloDecodeError } from '../../../node/net/hello-message.ts'

const bytes = (n: number, fill = 7): Uint8Array => new Uint8Array(n).fill(fill)

describe('hello message (specs/network-v1.md §3)', () => {
  it('round-trips, with every head size', () => {
    const hello = { certificate: bytes(300), federation: [bytes(0), bytes(23), bytes(24), bytes(255), bytes(256), bytes(70_000)] }
    const back = decodeHello(encodeHello(hello))
    assert.deepEqual(Uint8Array.from(back.certificate), hello.certificate)
    assert.deepEqual(back.federation.map((r) => Uint8Array.from(r)), hello.federation)
  })

  it('has a fixed encoding: [1, h\'01\', [h\'\']]', () => {
    assert.equal(Buffer.from(encodeHello({ certificate: Uint8Array.of(1), federation: [new Uint8Array(0)] })).toString('hex'), '83014101814' + '0')
  })

  const bad: Array<[string, string]> = [
    ['empty', ''],
    ['not an array', 'a0'],
    ['two elements', '820141'],
    ['version 2', '83024101 80'.replace(' ', '')],
    ['certificate not bytes', '830161' + '61' + '80'],
    ['non-shortest length', '8301' + '5801' + '01' + '80'],
    ['truncated byte string', '8301' + '45' + '0102' ],
    ['trailing byte', '8301410180' + '00'],
    ['indefinite array', '9f'],
    ['64-bit length', '8301' + '5b0000000000000001' + '01' + '80'],
  ]
  for (const [what, hex] of bad) {
    it(`refuses ${what}`, () => {
      assert.throws(() => decodeHello(Buffer.from(hex, 'hex')), HelloDecodeError)
    })
  }

  it('refuses too many federation records before reading them', () => {
    const n = HELLO_MAX_FEDERATION_RECORDS + 1
    const head = Buffer.from([0x83, 0x01, 0x41, 0x01, 0x99, n >> 8, n & 0xff])
    assert.throws(() => decodeHello(head), /federation records exceed/)
  })

  it('refuses a hello above HELLO_MAX_BYTES', () => {
    assert.throws(() => decodeHello(new Uint8Array(HELLO_MAX_BYTES + 1)), /exceeds/)
  })

  it('refuses a length that claims more than is there (no allocation from the claim)', () => {
    assert.throws(() => decodeHello(Buffer.from('8301' + '5a7fffffff', 'hex')), /runs past the end/)
  })
})
