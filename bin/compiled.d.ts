/** See bin/compiled.js. */
export function compiled(entry: string, name: string): Promise<string>
