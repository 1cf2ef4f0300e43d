#!/usr/bin/env node
// The `aip` command. The project runs its TypeScript sources directly through tsx (no build step),
// so this launcher registers tsx and hands over to node/cli/main.ts.
import { register } from 'tsx/esm/api'
register()
await import('../node/cli/main.ts')
