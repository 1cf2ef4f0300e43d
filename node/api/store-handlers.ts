/** API handlers backed directly by a RecordStore: the record queries every node serves the same way. */
import { pageCursor } from '../store/store.ts'
import type { RecordStore } from '../store/store.ts'
import type { ApiHandlers } from './types.ts'
import { infoToJson } from './types.ts'

export function storeHandlers(store: RecordStore): Pick<ApiHandlers, 'listRecords' | 'getRecord'> {
  return {
    async listRecords(q) {
      const records = []
      for await (const info of store.list(q)) records.push(infoToJson(info))
      const full = q.limit !== undefined && records.length === q.limit
      return full ? { records, next: pageCursor(records[records.length - 1]) } : { records }
    },
    getRecord: (id) => store.get(id),
  }
}
