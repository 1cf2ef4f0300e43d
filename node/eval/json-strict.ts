/**
 * Strict JSON for suite lines (specs/evaluation-v1.md §2.1): RFC 8259 JSON whose objects have no repeated member
 * name (compared after unescaping) and whose strings are Unicode scalar values (no lone surrogate, escaped or not).
 * JSON.parse keeps the last of two equal names and accepts "\ud800"; both are refused here with a reason.
 */

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/

/** True iff `s` holds no lone surrogate (ES2024's String.prototype.isWellFormed, absent from Node 20). */
export function isWellFormed(s: string): boolean {
  return !LONE_SURROGATE.test(s)
}

/** Throws Error('repeated member name …') on the first object with two equal member names. `text` is valid JSON. */
function checkNames(text: string): void {
  const stack: Array<Set<string> | null> = [] // a Set per open object, null per open array
  let expectName = false
  for (let i = 0; i < text.length; i++) {
    const c = text[i]
    if (c === '{') {
      stack.push(new Set())
      expectName = true
    } else if (c === '[') {
      stack.push(null)
      expectName = false
    } else if (c === '}' || c === ']') {
      stack.pop()
      expectName = false
    } else if (c === ',') {
      expectName = stack[stack.length - 1] instanceof Set
    } else if (c === '"') {
      let j = i + 1
      while (text[j] !== '"') j += text[j] === '\\' ? 2 : 1
      if (expectName) {
        const name = JSON.parse(text.slice(i, j + 1)) as string
        const names = stack[stack.length - 1]!
        if (names.has(name)) throw new Error(`repeated member name ${JSON.stringify(name)}`)
        names.add(name)
        expectName = false
      }
      i = j
    }
  }
}

function checkStrings(v: unknown, path: string): void {
  if (typeof v === 'string') {
    if (!isWellFormed(v)) throw new Error(`${path} holds a lone surrogate (not a Unicode scalar value)`)
  } else if (Array.isArray(v)) {
    v.forEach((x, i) => checkStrings(x, `${path}[${i}]`))
  } else if (typeof v === 'object' && v !== null) {
    for (const [k, x] of Object.entries(v)) {
      if (!isWellFormed(k)) throw new Error(`a member name of ${path} holds a lone surrogate`)
      checkStrings(x, `${path}.${k}`)
    }
  }
}

/** §2.1 Parses one line; throws Error with a one-line reason. */
export function parseJsonStrict(text: string): unknown {
  let v: unknown
  try {
    v = JSON.parse(text)
  } catch (e) {
    throw new Error(`invalid JSON (${(e as Error).message})`, { cause: e })
  }
  checkNames(text)
  checkStrings(v, 'item')
  return v
}
