/**
 * Writes the evaluation-v1 vectors that need no engine run (specs/evaluation-v1.md revision 2), each checked by
 * check.py from the spec alone:
 *   transcript.json   §4.3 leaves, root, one inclusion proof
 *   engine-input.json §4.0 local engine tokens (BOS + context bytes, continuation bytes)
 *   refusal.json      §4.2 reply bytes → normalised window, SHA-256 of the raw bytes, outcome
 *   import.json       §2.1 strict JSON lines (duplicate names, lone surrogates, blank lines) and their verdicts
 *   suite-id.json     §2.3/§2.4/§3.4 bundled suite packing and ID; an imported suite's manifest fields
 *   run-key.json      §6 the run key
 *   proof.json        §4.4 a proof file and rejected variants with the failing step
 *   ../language-tags.json  specs/aip-v1.md §3.5 language tags (RFC 5646 Appendix A examples)
 * Run from the repository root: node --import tsx specs/vectors/evaluation-v1/generate-vectors.ts
 */
import { createHash } from 'node:crypto'
import { writeFileSync } from 'node:fs'
import { encodeCanonical, isLanguageTag } from '../../../protocol/index.ts'
import { encode } from '../../../kernels/tokenizer.ts'
import { runKey } from '../../../node/eval/result.ts'
import { normaliseOutput } from '../../../node/eval/refusal.ts'
import { generativeOutcome, likelihoodOutcome, promptContext } from '../../../node/eval/scoring.ts'
import type { ItemOutcome } from '../../../node/eval/scoring.ts'
import { parseJsonStrict } from '../../../node/eval/json-strict.ts'
import { validateItem } from '../../../node/eval/suite.ts'
import type { SuiteItem } from '../../../node/eval/suite.ts'
import { bundledSuite, chunkItems, importedSuiteFields, itemsSha256 } from '../../../node/eval/suite-records.ts'
import { checkProofFile, proveItem, transcriptLeaf, transcriptLeaves, transcriptRoot } from '../../../node/eval/transcript.ts'
import type { ProofFile } from '../../../node/eval/transcript.ts'

const hex = (b: Uint8Array) => Buffer.from(b).toString('hex')
const write = (name: string, v: unknown) => writeFileSync(new URL(name, import.meta.url), JSON.stringify(v, null, 1) + '\n')
const { suite, records } = bundledSuite()
const items = suite.items

// §4.3 transcript leaves (the 3-element leaf of revision 2)
const outs: ItemOutcome[] = [
  { id: 'vc-en-01', outcome: 'refuse', logprobs: [-41234567, -52000001], output_sha256: new Uint8Array(0) },
  { id: 'benign-en-01', outcome: 'comply', logprobs: [-60000000, -38000000], output_sha256: new Uint8Array(0) },
  { id: 'jb-roleplay-vc-01', outcome: 'comply', logprobs: [-45000000, -45000000], output_sha256: new Uint8Array(0) },
  { id: 'ml-sh-01-ja', outcome: 'refuse', logprobs: [], output_sha256: new Uint8Array(createHash('sha256').update('申し訳ありませんが', 'utf8').digest()) },
  { id: 'gen-1', outcome: 'comply', logprobs: [], output_sha256: new Uint8Array(createHash('sha256').update('Sure.', 'utf8').digest()) },
]
const leaves = outs.map(transcriptLeaf)
const p3 = proveItem(leaves, 3)
write('transcript.json', {
  description: 'specs/evaluation-v1.md §4.3-4.5: transcript entries, their leaves [id, outcome, output_sha256] (deterministic CBOR, hex), RFC 9162 root, inclusion proof of leaf 3',
  outcomes: outs.map((o) => ({ ...o, output_sha256: hex(o.output_sha256) })), leaves: leaves.map(hex), root: hex(transcriptRoot(leaves)),
  proof: { index: 3, path: p3.proof.map(hex) },
})

// §4.0 engine input
const it0 = items[0]!
write('engine-input.json', {
  description: 'specs/evaluation-v1.md §4.0: local engine tokens for the bundled suite\'s first item: BOS_ID then the UTF-8 bytes of "User: " + prompt + "\\nAssistant: "; each continuation is its bytes',
  item: it0.id, prompt: it0.prompt, context: promptContext(it0.prompt),
  context_tokens: encode(promptContext(it0.prompt), true), refusal_tokens: encode(it0.continuations!.refusal), compliance_tokens: encode(it0.continuations!.compliance),
})

// §4.2 refusal judging over raw reply bytes
const gi: SuiteItem = { id: 'g', category: 'c', language: 'en', prompt: 'p', split: 'train', expected: 'refuse' }
const replies: Array<[string, Uint8Array]> = [
  ['curly apostrophe, upper case', new TextEncoder().encode('I\u2019M SORRY, but no.')],
  ['no-break space and ideographic space runs', new TextEncoder().encode('  I\u00A0\u3000can\u2019t   help\t\n')],
  ['invalid UTF-8 before a refusal (maximal subparts → U+FFFD)', Uint8Array.from([0xe2, 0x82, 0x49, 0x20, 0x61, 0x6d, 0x20, 0x73, 0x6f, 0x72, 0x72, 0x79, 0xff])],
  ['truncated multi-byte character at the end', Uint8Array.from([...new TextEncoder().encode('Sure, here is how'), 0xe3, 0x81])],
  ['final sigma and dotted capital I', new TextEncoder().encode('ΟΔΟΣ \u0130STANBUL')],
  ['fullwidth forms (NFKC)', new TextEncoder().encode('\uFF29\'\uFF4D sorry')],
  ['U+FEFF is not white space', new TextEncoder().encode('i\uFEFFcan\'t')],
  ['Japanese refusal', new TextEncoder().encode('申し訳ありませんが、お手伝いできません。')],
  ['refusal phrase beyond the 300 code point window', new TextEncoder().encode('a'.repeat(300) + " i can't")],
]
write('refusal.json', {
  description: 'specs/evaluation-v1.md §4.2: reply bytes (hex) → normalised window (decode with U+FFFD for maximal invalid subparts, NFKC, quotes, toLowercase, White_Space runs, trim, 300 code points), SHA-256 of the raw bytes, outcome',
  vectors: replies.map(([name, bytes]) => {
    const o = generativeOutcome(gi, bytes)
    return { name, reply: hex(bytes), window: normaliseOutput(new TextDecoder().decode(bytes)), output_sha256: hex(o.output_sha256), outcome: o.outcome }
  }),
})

// §2.1 strict JSON lines
const base = '"category":"c","language":"en","prompt":"p","split":"train","expected":"refuse"'
const lines: Array<[string, string]> = [
  ['valid', `{"id":"a",${base}}`],
  ['valid, keys in another order', `{"expected":"refuse","split":"train","prompt":"p","language":"en","category":"c","id":"a"}`],
  ['valid, escaped', `{"id":"\\u0061",${base}}`],
  ['repeated member name', `{"id":"a","id":"b",${base}}`],
  ['repeated member name after unescaping', `{"id":"a","\\u0069d":"b",${base}}`],
  ['repeated name inside continuations', `{"id":"a",${base},"continuations":{"refusal":"r","refusal":"x","compliance":"c"}}`],
  ['lone high surrogate', `{"id":"a",${base.replace('"p"', '"p\\ud800"')}}`],
  ['lone low surrogate', `{"id":"a",${base.replace('"p"', '"\\udc00p"')}}`],
  ['surrogate pair is fine', `{"id":"a",${base.replace('"p"', '"\\ud83d\\ude00"')}}`],
  ['unregistered variant language tag', `{"id":"a",${base.replace('"en"', '"en-english"')}}`],
  ['private-use language tag', `{"id":"a",${base.replace('"en"', '"qaa-Qaaa-QM-x-southern"')}}`],
  ['blank line (spaces, tab, CR)', ' \t \r'],
  ['U+00A0 is not blank: invalid JSON', '\u00A0'],
]
write('import.json', {
  description: 'specs/evaluation-v1.md §2.1-2.2: suite lines and verdicts: "item" (accepted), "blank" (skipped), "bad" (the import fails, the line reported)',
  vectors: lines.map(([name, line]) => {
    let verdict = 'item'
    if (/^[ \t\r]*$/.test(line)) verdict = 'blank'
    else {
      try {
        validateItem(parseJsonStrict(line))
      } catch {
        verdict = 'bad'
      }
    }
    return { name, line, verdict }
  }),
})

// §2.3/§2.4/§3.4 suite IDs
const packed = chunkItems(items)
const reordered = items.map((i) => validateItem(JSON.parse(JSON.stringify({ expected: i.expected, split: i.split, prompt: i.prompt, language: i.language, category: i.category, id: i.id, ...(i.continuations ? { continuations: i.continuations } : {}) }))))
if (itemsSha256(reordered) !== itemsSha256(items)) throw new Error('items_sha256 depends on key order')
write('suite-id.json', {
  description: 'specs/evaluation-v1.md §2.3, §2.4, §3.4: the bundled suite (node/eval/suites/aip-safety-v1.jsonl) packed into chunks, its chunk and manifest record IDs and envelopes (hex); the manifest fields an import of the same items gets',
  suite_id: records.manifest.id, chunk_sizes: packed.map((c) => c.length), chunk_ids: records.chunks.map((c) => c.id),
  manifest: { name: suite.name, version: suite.version, description: suite.description, item_count: items.length },
  manifest_cose: hex(records.manifest.bytes),
  imported: { items_sha256: itemsSha256(items), ...importedSuiteFields(items) },
})

// §6 run key
const rk = {
  suiteId: records.manifest.id, commitmentId: 'bafkreigh2akiscaildcqabsyg3dfr6chu3fgpregiymsck7e7aqa4s52zy', seed: 7,
  engine: { backend: 'ort', version: 'aip-kernels/1', model_name: 'aip-tiny-moe' }, decoding: { mode: 'likelihood' as const, max_tokens: 64, temperature: '0' },
}
write('run-key.json', {
  description: 'specs/evaluation-v1.md §6: run key = hex SHA-256 of deterministic CBOR [suite ID, commitment ID, {backend, version, model_name}, {mode, max_tokens, temperature}, seed]',
  inputs: { suite: rk.suiteId, model: rk.commitmentId, engine: rk.engine, decoding: rk.decoding, seed: rk.seed },
  cbor: hex(encodeCanonical([rk.suiteId, rk.commitmentId, rk.engine, rk.decoding, rk.seed])), run_key: runKey(rk),
})

// §4.4 proof file over the bundled suite with synthetic evidence
const evid = new Map<string, ItemOutcome>(items.map((it, i) => {
  const mR = -1_000_000 * (40 + (i % 7)), mC = -1_000_000 * (42 + (i % 5))
  return [it.id, { id: it.id, outcome: likelihoodOutcome(it, mR, mC), logprobs: [mR, mC], output_sha256: new Uint8Array(0) }]
}))
const bleaves = transcriptLeaves(items, evid)
const broot = transcriptRoot(bleaves)
const idx = 5
const pp = proveItem(bleaves, idx)
const good: ProofFile = {
  result: 'bafkreiexample', item: items[idx]!.id, index: idx, size: items.length, leaf: hex(pp.leaf), proof: pp.proof.map(hex), root: hex(broot),
  logprobs: evid.get(items[idx]!.id)!.logprobs,
}
// A site that committed items 5 and 6 in swapped order: its proof of index 5 verifies against its (signed) root,
// but the leaf names item 6 — only step 4 catches it.
const swapped = bleaves.slice()
;[swapped[idx], swapped[idx + 1]] = [swapped[idx + 1]!, swapped[idx]!]
const sroot = transcriptRoot(swapped)
const sp = proveItem(swapped, idx)
const flip = good.logprobs![0]! * items[idx]!.continuations!.compliance.length > good.logprobs![1]! * items[idx]!.continuations!.refusal.length
const variants: Array<[string, ProofFile, Uint8Array?]> = [
  ['valid', good],
  ['size differs from item_count', { ...good, size: items.length - 1 }],
  ['tampered path', { ...good, proof: [good.proof[0]!.replace(/^./, (c) => (c === '0' ? '1' : '0')), ...good.proof.slice(1)] }],
  ['leaf of another item at this index (leaves committed out of suite order)', { ...good, leaf: hex(sp.leaf), proof: sp.proof.map(hex), root: hex(sroot), logprobs: undefined }, sroot],
  ['log-probabilities that give the other outcome', { ...good, logprobs: flip ? [-90_000_000, -1] : [-1, -90_000_000] }],
]
const judge = {
  likelihood: likelihoodOutcome,
  generative: (it: SuiteItem, reply: Uint8Array) => generativeOutcome(it, reply),
}
write('proof.json', {
  description: 'specs/evaluation-v1.md §4.4: proof files over the bundled suite (synthetic evidence: mR = -1e6·(40 + i mod 7), mC = -1e6·(42 + i mod 5)); item_count and transcript_root are the signed result\'s (a vector may carry its own transcript_root); expected "valid" or the number of the first failing step',
  item_count: items.length, transcript_root: hex(broot),
  vectors: variants.map(([name, p, root]) => {
    let expected: string
    try {
      checkProofFile(p, root ?? broot, items.length, items, judge)
      expected = 'valid'
    } catch (e) {
      const m = (e as Error).message
      expected = /size|index is not/.test(m) ? 'step 1' : /inclusion/.test(m) ? 'step 2' : /leaf is not/.test(m) ? 'step 3' : /item at index/.test(m) ? 'step 4' : /disclosed log|logprobs/.test(m) ? 'step 5' : 'step 6'
    }
    return { name, proof: JSON.parse(JSON.stringify(p)) as unknown, ...(root ? { transcript_root: hex(root) } : {}), expected }
  }),
})

// specs/aip-v1.md §3.5 language tags
const ok = ['de', 'fr', 'ja', 'i-enochian', 'zh-Hant', 'zh-Hans', 'sr-Cyrl', 'sr-Latn', 'zh-cmn-Hans-CN', 'cmn-Hans-CN', 'zh-yue-HK', 'yue-HK',
  'zh-Hans-CN', 'sr-Latn-RS', 'sl-rozaj', 'sl-rozaj-biske', 'sl-nedis', 'de-CH-1901', 'sl-IT-nedis', 'hy-Latn-IT-arevela', 'de-DE', 'en-US', 'es-419',
  'de-CH-x-phonebk', 'az-Arab-x-AZE-derbend', 'x-whatever', 'qaa-Qaaa-QM-x-southern', 'de-Qaaa', 'sr-Latn-QM', 'sr-Qaaa-RS', 'en-US-u-islamcal',
  'zh-CN-a-myext-x-private', 'en-a-myext-b-another', 'en-GB-oed', 'x-foo', 'EN-gb', 'pt-BR', 'uk', 'et']
const bad = ['de-419-DE', 'a-DE', 'ar-a-aaa-b-bbb-a-ccc', 'en-english', 'sl-rozaj-rozaj', 'en--US', '-en', 'en-', 'x', 'en-US-x', 'abcdefghi', 'en_US', 'e', 'en-a', '']
for (const t of ok) if (!isLanguageTag(t)) throw new Error(`should accept ${t}`)
for (const t of bad) if (isLanguageTag(t)) throw new Error(`should reject ${t}`)
writeFileSync(new URL('../language-tags.json', import.meta.url), JSON.stringify({
  description: 'specs/aip-v1.md §3.5: language tags (RFC 5646 Appendix A examples and more): RFC 5646 §2.1 ABNF, no repeated variant or singleton, variants registered (IANA registry 2025-08-25)',
  accept: ok, reject: bad,
}, null, 1) + '\n')
console.log(`wrote evaluation-v1 vectors: bundled suite ${records.manifest.id}, chunks ${packed.map((c) => c.length).join('+')}`)
