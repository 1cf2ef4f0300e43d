/** Shapes exchanged over the local HTTP API (JSON), shared by server.ts and client.ts. */
import type { ListQuery, RecordInfo } from '../store/store.ts'

/** A record as GET /v1/records lists it. */
export interface RecordInfoJson {
  id: string
  type: string
  /** Signer public key, hex. */
  signer: string
  created: number
  suite?: string
  model?: string
}

export interface RecordPage {
  records: RecordInfoJson[]
  /** Cursor for the next page (pass as `after`; CREATED.ID, a position), absent on the last page. */
  next?: string
}

/** The validation outcome of a published record (the record layer's Outcome without the decoded record). */
export interface PublishOutcome {
  action: 'accept' | 'ignore' | 'reject'
  code: string
  message?: string
  id?: string
}

/** What the running node provides to the API (node-net's site-node.ts). All results must be JSON-serialisable. */
export interface ApiHandlers {
  status(): Promise<object>
  peers(): Promise<object[]>
  listRecords(q: ListQuery): Promise<RecordPage>
  getRecord(id: string): Promise<Uint8Array | undefined>
  /** Validates and, when accepted, stores and gossips the record. */
  publish(bytes: Uint8Array): Promise<PublishOutcome>
  /** GET /v1/audit/<path>, POST checkpoint | entries: the audit log (specs/audit-v1.md §4.2, node/audit/api.ts); absent = none. */
  audit?(method: 'GET' | 'POST', path: string, query: URLSearchParams, body?: Uint8Array): Promise<{ status: number; contentType: string; body: Uint8Array; headers?: Record<string, string> }>
}

export function infoToJson(i: RecordInfo): RecordInfoJson {
  const j: RecordInfoJson = { id: i.id, type: i.type, signer: Buffer.from(i.signer).toString('hex'), created: i.created }
  if (i.suite !== undefined) j.suite = i.suite
  if (i.model !== undefined) j.model = i.model
  return j
}
