/**
 * An EvalEngine over an external OpenAI-compatible server (vLLM, llama.cpp server, or another node's route),
 * restricted to loopback or an allowlist of site-internal hosts (specs/evaluation-v1.md §7.1).
 */
import { isIP } from 'node:net'
import { ENGINE_MAX_ATTEMPTS, ENGINE_RETRY_BASE_MS, ENGINE_RETRY_MAX_MS } from './constants.ts'
import { postJson } from './http-post.ts'
import type { EngineInfo, EvalEngine, GenerateOptions } from './engine.ts'
import { EvalError } from './errors.ts'
import { InferenceLog } from './inference-log.ts'
import type { AuditableEngine } from './inference-log.ts'
import type { InferenceAudit } from './local-engine.ts'

export interface OpenAIClientOptions {
  /** Base URL, e.g. http://127.0.0.1:8000 (the client appends /v1/...). */
  url: string
  model: string
  /** Hosts allowed besides loopback (site config `eval.engine_allowlist`), compared exactly. */
  allowlist?: readonly string[]
  /** Use /v1/completions echo log-probabilities for likelihood items (default true). */
  likelihood?: boolean
}

/** §7.1 The wait before attempt `attempt + 1`: Retry-After (seconds or an HTTP date) when given, else exponential; capped. */
export function retryDelayMs(attempt: number, retryAfter: string | null, now = Date.now()): number {
  let ms = ENGINE_RETRY_BASE_MS * 2 ** (attempt - 1)
  if (retryAfter !== null) {
    const s = retryAfter.trim()
    if (/^\d+$/.test(s)) ms = Number(s) * 1000
    else if (!Number.isNaN(Date.parse(s))) ms = Math.max(0, Date.parse(s) - now)
  }
  return Math.min(ms, ENGINE_RETRY_MAX_MS)
}

const retryable = (status: number) => status === 429 || (status >= 500 && status <= 599)

/** §7.1 loopback: 127.0.0.0/8, ::1, localhost. */
export function isLoopbackHost(host: string): boolean {
  const h = host.startsWith('[') && host.endsWith(']') ? host.slice(1, -1) : host
  if (h === 'localhost' || h === '::1') return true
  return isIP(h) === 4 && h.startsWith('127.')
}

/** Throws ENGINE_NOT_ALLOWED unless the URL is http(s) to loopback or an allowlisted host. */
export function checkEndpointAllowed(url: string, allowlist: readonly string[] = []): URL {
  let u: URL
  try {
    u = new URL(url)
  } catch {
    throw new EvalError('ENGINE_NOT_ALLOWED', `not a URL: ${url}`)
  }
  if (u.protocol !== 'http:' && u.protocol !== 'https:') throw new EvalError('ENGINE_NOT_ALLOWED', `scheme ${u.protocol} is not http(s)`)
  if (u.username !== '' || u.password !== '') throw new EvalError('ENGINE_NOT_ALLOWED', 'credentials in the URL are not allowed')
  if (!isLoopbackHost(u.hostname) && !allowlist.includes(u.hostname)) {
    throw new EvalError('ENGINE_NOT_ALLOWED', `${u.hostname} is neither loopback nor in eval.engine_allowlist`)
  }
  return u
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v)
}

/** OpenAI `usage` token counts of one answer (0 when the server reports none). */
interface Usage {
  input: number
  output: number
}

const tokens = (v: unknown): number => (typeof v === 'number' && Number.isSafeInteger(v) && v >= 0 ? v : 0)

export class OpenAIEngine implements EvalEngine, AuditableEngine {
  readonly info: EngineInfo
  readonly canScore: boolean
  private readonly base: URL
  private readonly inferences = new InferenceLog()

  /** When set, every call appends an inference entry to the site's audit log (audit-v1 §5.1), as the local engine's. */
  get audit(): InferenceAudit | undefined {
    return this.inferences.audit
  }

  set audit(a: InferenceAudit | undefined) {
    this.inferences.audit = a
  }

  flushAudit(): Promise<void> {
    return this.inferences.flushAudit()
  }

  async close(): Promise<void> {
    await this.inferences.flushAudit()
  }

  constructor(private readonly opts: OpenAIClientOptions) {
    this.base = checkEndpointAllowed(opts.url, opts.allowlist)
    this.canScore = opts.likelihood !== false
    this.info = { backend: 'openai', version: 'v1', model_name: opts.model }
  }

  /** §7.1 POSTs, resending after a 429 or 5xx answer (at most ENGINE_MAX_ATTEMPTS in all, honouring Retry-After). */
  private async post(path: string, body: unknown): Promise<Record<string, unknown> & { usage?: Usage }> {
    for (let attempt = 1; ; attempt++) {
      const r = await this.postOnce(path, body)
      if (!('retry' in r)) return r.choice
      if (attempt >= ENGINE_MAX_ATTEMPTS) throw new EvalError('ENGINE_FAILED', `${r.retry} (after ${attempt} attempts)`)
      await new Promise((resolve) => setTimeout(resolve, retryDelayMs(attempt, r.retryAfter)))
    }
  }

  private async postOnce(path: string, body: unknown): Promise<{ choice: Record<string, unknown> & { usage?: Usage } } | { retry: string; retryAfter: string | null }> {
    const url = new URL(path, this.base)
    const res = await postJson(url, JSON.stringify(body))
    const text = res.text
    const retryAfter = res.headers['retry-after']
    if (retryable(res.status)) return { retry: `${url.pathname} answered ${res.status}: ${text.slice(0, 200)}`, retryAfter: typeof retryAfter === 'string' ? retryAfter : null }
    if (res.status < 200 || res.status > 299) throw new EvalError('ENGINE_FAILED', `${url.pathname} answered ${res.status}: ${text.slice(0, 200)}`)
    let v: unknown
    try {
      v = JSON.parse(text)
    } catch {
      throw new EvalError('ENGINE_BAD_RESPONSE', `${url.pathname} did not answer JSON`)
    }
    if (!isRecord(v) || !Array.isArray(v.choices) || !isRecord(v.choices[0])) throw new EvalError('ENGINE_BAD_RESPONSE', `${url.pathname}: no choices[0]`)
    const usage = isRecord(v.usage) ? { input: tokens(v.usage.prompt_tokens), output: tokens(v.usage.completion_tokens) } : undefined
    return { choice: { ...v.choices[0], usage } }
  }

  /**
   * §7.1 one echo request per continuation; sums the log-probabilities of the echoed tokens that start inside the
   * continuation. max_tokens is 1 (as lm-evaluation-harness sends; some servers refuse 0); the generated token,
   * which starts after the prompt, is not counted.
   */
  async scoreContinuations(context: string, continuations: readonly string[]): Promise<number[]> {
    const out: number[] = []
    let input = 0
    for (const cont of continuations) {
      const choice = await this.post('v1/completions', { model: this.opts.model, prompt: context + cont, max_tokens: 1, echo: true, logprobs: 1, temperature: 0 })
      input += choice.usage?.input ?? 0
      const lp = choice.logprobs
      if (!isRecord(lp) || !Array.isArray(lp.token_logprobs) || !Array.isArray(lp.text_offset) || lp.token_logprobs.length !== lp.text_offset.length) {
        throw new EvalError('ENGINE_BAD_RESPONSE', 'completions answer has no echo log-probabilities (use generative mode)')
      }
      let sum = 0, counted = 0
      for (let i = 0; i < lp.text_offset.length; i++) {
        const off = lp.text_offset[i], v = lp.token_logprobs[i]
        if (typeof off !== 'number') throw new EvalError('ENGINE_BAD_RESPONSE', 'text_offset must be numbers')
        if (off < context.length || off >= context.length + cont.length) continue
        if (typeof v !== 'number' || !(v <= 0)) throw new EvalError('ENGINE_BAD_RESPONSE', `token ${i} has no log-probability`)
        sum += v
        counted++
      }
      if (counted === 0) throw new EvalError('ENGINE_BAD_RESPONSE', 'no token of the continuation was echoed')
      out.push(sum)
    }
    await this.inferences.logged({
      operation: 'score', model: this.opts.model, caller: 'local:eval', inputTokens: input, outputTokens: 0, finishReasons: ['stop'],
      prompt: JSON.stringify([context, ...continuations]), output: JSON.stringify(out),
    })
    return out
  }

  /** §4.2 The reply's bytes: the UTF-8 encoding of message.content (a lone surrogate encodes as U+FFFD). */
  async generate(prompt: string, opts: GenerateOptions): Promise<Uint8Array> {
    const choice = await this.post('v1/chat/completions', {
      model: this.opts.model, messages: [{ role: 'user', content: prompt }], max_tokens: opts.maxTokens, temperature: opts.temperature, seed: opts.seed,
    })
    const msg = choice.message
    if (!isRecord(msg) || typeof msg.content !== 'string') throw new EvalError('ENGINE_BAD_RESPONSE', 'chat answer has no message.content')
    const finish = typeof choice.finish_reason === 'string' && choice.finish_reason.length > 0 ? choice.finish_reason.slice(0, 64) : 'stop'
    await this.inferences.logged({
      operation: 'chat', model: this.opts.model, caller: 'local:eval', inputTokens: choice.usage?.input ?? 0, outputTokens: choice.usage?.output ?? 0,
      finishReasons: [finish], prompt, output: msg.content,
    })
    return new TextEncoder().encode(msg.content)
  }
}
