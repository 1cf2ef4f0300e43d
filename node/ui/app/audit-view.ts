/**
 * Audit (issue 16; specs/audit-v1.md): the site's latest signed checkpoint as its signed-note text, every signature
 * line on it checked in this browser — the log's own signature against the key of this site's verified certificate
 * (§3.2: origin aip-audit/NATION/KEY8), each cosignature against the witness key of another verified site (§3.3:
 * aip-witness/NATION/KEY8) — the equivocations this site found as a witness, audit records gossiped by other sites
 * (any verified record whose type starts with "Audit", shown generically) and the node's audit alerts.
 */
import { h } from 'preact'
import type { ComponentChild as VNode } from 'preact'
import { auditOrigin, cosignatureTime, cosignatureVerifier, ed25519Verifier, formatVerifierKey, parseCheckpoint, parseNote, SIG_TYPE_ED25519 } from '../../../protocol/index.ts'
import type { DecodedRecord, NoteVerifier } from '../../../protocol/index.ts'
import { witnessName } from '../../../protocol/index.ts'
import { hex } from './verify.ts'
import { badge, date, failed, nodeAlerts, ofType, ok, pending, short, table, who } from './views.ts'
import type { Data } from './views.ts'

const utf8 = new TextEncoder()

/** Every certified site's log key and witness key, from the certificates verified in this browser. */
function certifiedKeys(d: Data): Array<{ nation: string; key: Uint8Array; verifier: NoteVerifier; role: 'log' | 'witness' }> {
  return ofType(d, 'SiteCertificate').flatMap((c) => {
    const { nation, site_key: key } = c.body
    if (d.verification.trust.siteStatus(key, d.now).status !== 'ok') return []
    return [
      { nation, key, verifier: ed25519Verifier(auditOrigin(nation, key), key), role: 'log' as const },
      { nation, key, verifier: cosignatureVerifier(witnessName(nation, key), key), role: 'witness' as const },
    ]
  })
}

function checkpointPanel(d: Data): VNode {
  const text = d.extras?.checkpoint
  if (text === undefined) return pending('the checkpoint')
  if (text instanceof Error) return failed('No checkpoint yet', text)
  let note
  let cp
  try {
    note = parseNote(text)
    cp = parseCheckpoint(note.text)
  } catch (e) {
    return h('p', { class: 'invalid', role: 'alert' }, `The checkpoint does not parse: ${(e as Error).message}`)
  }
  const keys = certifiedKeys(d)
  const own = keys.find((k) => k.role === 'log' && hex(k.key) === d.siteKey)
  const body = utf8.encode(note.text)
  const checks = note.signatures.map((s) => {
    const k = keys.find((x) => x.verifier.name === s.name && x.verifier.keyId === s.keyId)
    return { s, k, good: k !== undefined && k.verifier.verify(body, s.signature), time: k?.role === 'witness' ? cosignatureTime(s.signature) : undefined }
  })
  const rows = checks.map(({ s, k, good, time }) => [s.name, k === undefined ? 'unknown key' : k.role === 'log' ? `log key of ${k.nation}` : `witness ${k.nation}`,
    time === undefined ? '' : date(time * 1000), k === undefined ? badge(false, 'no certified key') : good ? badge(true, 'verified') : badge(false, 'bad signature')])
  const logSigned = checks.some((c) => c.good && c.k === own)
  const witnesses = checks.filter((c) => c.good && c.k?.role === 'witness' && hex(c.k.key) !== d.siteKey).length
  const vkey = d.extras?.vkey
  const expected = own === undefined ? undefined : formatVerifierKey(own.verifier.name, SIG_TYPE_ED25519, own.key)
  return h('div', null,
    h('p', { id: 'checkpoint-summary' },
      logSigned ? badge(true, 'checkpoint verified') : badge(false, 'checkpoint not verified'),
      ` Log ${cp.origin}: ${cp.size} entries, root ${short(hex(cp.root), 16)}; signed by the site's certified key: ${logSigned ? 'yes' : 'no'}; cosigned by ${witnesses} witness(es) of other nations.`),
    h('pre', { class: 'note', tabIndex: 0, 'aria-label': 'Signed checkpoint note' }, text),
    table('Signatures on the checkpoint (checked in this browser against certified keys)', ['Signer name', 'Key', 'Cosigned at', 'Verdict'], rows, 'signatures'),
    typeof vkey === 'string' ? h('p', null, 'Verifier key the node publishes: ', h('code', null, vkey.trim()), ' ',
      expected !== undefined && vkey.trim() === expected ? badge(true, 'matches the certified site key') : badge(false, 'does not match the certified site key')) : null)
}

export function auditView(d: Data): VNode {
  const eq = d.extras?.equivocations
  const gossiped = ok(d.verification.verdicts).filter((v) => v.record.type.startsWith('Audit')).map((v) => v.record as DecodedRecord)
  return h('section', { 'aria-labelledby': 'h-audit' },
    h('h2', { id: 'h-audit' }, 'Audit log'),
    h('h3', null, 'Latest checkpoint'),
    checkpointPanel(d),
    h('h3', null, 'Equivocations'),
    eq === undefined ? pending('equivocations') : eq instanceof Error ? failed('Equivocations', eq)
      : table('Logs this site, as a witness, saw sign two inconsistent checkpoints', ['Origin', 'Found', 'Checkpoint A', 'Checkpoint B'],
        eq.map((e) => [String(e.origin), typeof e.at === 'number' ? date(e.at) : '', h('pre', { class: 'note small' }, String(e.a)), h('pre', { class: 'note small' }, String(e.b))]), 'equivocations'),
    table('Audit records gossiped by the federation (verified in this browser)', ['Type', 'From', 'Created', 'Fields'],
      gossiped.map((r) => [r.type, who(d, r), date(r.created), h('code', null, summary(r.body))]), 'audit-records'),
    nodeAlerts(d, (a) => /audit|equivoc|witness|checkpoint/i.test(`${a.kind} ${a.message}`)))
}

function summary(body: unknown): string {
  const text = JSON.stringify(body, (_k, x: unknown) => (x instanceof Uint8Array ? short(hex(x), 16) : typeof x === 'object' && x !== null && '/' in x ? String(x) : x))
  return text.length > 200 ? `${text.slice(0, 199)}…` : text
}
