'use client'

import { useEffect, useId, useRef, useState } from 'react'

/**
 * A token shown masked, with Show/Hide and Copy buttons. The token text is always in the element
 * with `testId` (server-rendered as `data-testid="…">TOKEN<`); masking only sets `hidden` on it
 * and shows a row of dots instead, so nothing readable is on screen until the user asks.
 */
export function SecretToken({ label, value, testId }: { label: string; value: string; testId?: string }) {
  const [revealed, setRevealed] = useState(false)
  const [copy, setCopy] = useState<'idle' | 'copied' | 'failed'>('idle')
  const timer = useRef<ReturnType<typeof setTimeout> | undefined>(undefined)
  const id = useId()

  useEffect(() => () => clearTimeout(timer.current), [])

  async function onCopy() {
    clearTimeout(timer.current)
    try {
      await navigator.clipboard.writeText(value)
      setCopy('copied')
    } catch {
      setCopy('failed')
    }
    timer.current = setTimeout(() => setCopy('idle'), 2500)
  }

  return (
    <div>
      <div className="rounded-lg border border-slate-200 bg-slate-50 p-3 font-mono text-[0.8125rem] leading-relaxed dark:border-slate-700 dark:bg-slate-950">
        {revealed ? null : (
          <span className="flex items-center gap-2 text-slate-600 dark:text-slate-400">
            <svg aria-hidden="true" viewBox="0 0 20 20" className="size-4 shrink-0 fill-current">
              <path d="M10 2a4 4 0 0 0-4 4v2H5a2 2 0 0 0-2 2v6a2 2 0 0 0 2 2h10a2 2 0 0 0 2-2v-6a2 2 0 0 0-2-2h-1V6a4 4 0 0 0-4-4Zm-2 6V6a2 2 0 1 1 4 0v2H8Z" />
            </svg>
            <span aria-hidden="true" className="truncate tracking-widest">••••••••••••••••••••••••</span>
            <span className="sr-only">{label} hidden</span>
          </span>
        )}
        <span
          hidden={!revealed}
          id={id}
          className="block whitespace-pre-wrap [overflow-wrap:anywhere] select-all"
          data-testid={testId}
        >{value}</span>
      </div>
      <div className="mt-3 flex flex-wrap items-center gap-2">
        <button type="button" className="btn btn-secondary btn-sm" aria-controls={id} onClick={() => setRevealed((r) => !r)}>
          <svg aria-hidden="true" viewBox="0 0 20 20" className="size-4 fill-current">
            {revealed ? (
              <path d="M3.3 2.3a1 1 0 0 0-1.4 1.4l14 14a1 1 0 0 0 1.4-1.4l-1.6-1.6A9.8 9.8 0 0 0 19 10s-3-6-9-6a8.7 8.7 0 0 0-3.7.8L3.3 2.3ZM8.1 6.9A3.5 3.5 0 0 1 13 11.9L8.1 6.9ZM1 10s1-2 3-3.8l2.1 2.1A3.5 3.5 0 0 0 11.7 14l1.6 1.6A8.7 8.7 0 0 1 10 16c-6 0-9-6-9-6Z" />
            ) : (
              <path d="M10 4c-6 0-9 6-9 6s3 6 9 6 9-6 9-6-3-6-9-6Zm0 9.5a3.5 3.5 0 1 1 0-7 3.5 3.5 0 0 1 0 7Zm0-2a1.5 1.5 0 1 0 0-3 1.5 1.5 0 0 0 0 3Z" />
            )}
          </svg>
          {revealed ? 'Hide' : 'Show'}
          <span className="sr-only"> {label.toLowerCase()}</span>
        </button>
        <button type="button" className="btn btn-secondary btn-sm" onClick={onCopy}>
          <svg aria-hidden="true" viewBox="0 0 20 20" className="size-4 fill-current">
            {copy === 'copied' ? (
              <path d="M16.7 5.3a1 1 0 0 1 0 1.4l-8 8a1 1 0 0 1-1.4 0l-4-4a1 1 0 1 1 1.4-1.4L8 12.6l7.3-7.3a1 1 0 0 1 1.4 0Z" />
            ) : (
              <path d="M7 2a2 2 0 0 0-2 2v1H4a2 2 0 0 0-2 2v9a2 2 0 0 0 2 2h7a2 2 0 0 0 2-2v-1h1a2 2 0 0 0 2-2V4a2 2 0 0 0-2-2H7Zm6 13H7a2 2 0 0 1-2-2V7H4v9h7v-1Zm-6-2V4h7v9H7Z" />
            )}
          </svg>
          Copy<span className="sr-only"> {label.toLowerCase()}</span>
        </button>
        <span role="status" aria-live="polite" className="text-sm font-medium text-emerald-700 dark:text-emerald-400" data-testid={testId ? `${testId}-copy-status` : undefined}>
          {copy === 'copied' ? 'Copied' : copy === 'failed' ? <span className="text-red-700 dark:text-red-400">Copy failed, select the text instead</span> : ''}
        </span>
      </div>
    </div>
  )
}
