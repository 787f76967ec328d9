'use client'

import { useEffect, useState } from 'react'

/**
 * Times from the ID token, in the browser's time zone. The server does not know that zone, so the
 * server render (and the first client render, to hydrate cleanly) shows UTC; the effect then
 * switches to local time.
 */

/** A time the identity server sent can be anything: only times a Date can hold are shown as dates. */
function validDate(seconds: number): Date | null {
  const date = new Date(seconds * 1000)
  return Number.isFinite(seconds) && Number.isFinite(date.getTime()) ? date : null
}

function utc(date: Date): string {
  return date.toISOString().replace('T', ' ').replace(/\.\d+Z$/, ' UTC')
}

function local(date: Date): string {
  return new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'medium' }).format(date)
}

/** A `<time>` showing a timestamp (seconds since the epoch) as a local date and time. */
export function LocalTime({ seconds }: { seconds: number }) {
  const date = validDate(seconds)
  const [text, setText] = useState(() => (date ? utc(date) : String(seconds)))
  useEffect(() => {
    const d = validDate(seconds)
    setText(d ? local(d) : String(seconds))
  }, [seconds])
  if (!date) return <span title="Not a valid time">{String(seconds)}</span>
  return (
    <time dateTime={date.toISOString()} suppressHydrationWarning>
      {text}
    </time>
  )
}

function left(ms: number): string {
  const total = Math.max(0, Math.ceil(ms / 1000))
  const h = Math.floor(total / 3600)
  const m = Math.floor((total % 3600) / 60)
  const s = total % 60
  const mmss = `${String(m).padStart(2, '0')}:${String(s).padStart(2, '0')}`
  return h ? `${h}:${mmss}` : mmss
}

/**
 * "Expires in mm:ss", counting down every second; "Expired" once the time has passed. The timer role
 * is not announced on every tick (implicit aria-live off), screen readers read it on demand.
 */
export function Countdown({ until }: { until: number }) {
  const [now, setNow] = useState<number | null>(null)
  useEffect(() => {
    setNow(Date.now())
    const interval = setInterval(() => setNow(Date.now()), 1000)
    return () => clearInterval(interval)
  }, [])
  if (!validDate(until)) return <span className="muted">Expiry unknown</span>
  if (now === null) return <span className="muted">Expires <LocalTime seconds={until} /></span>
  const ms = until * 1000 - now
  if (ms <= 0) {
    return <span role="timer" className="font-medium text-red-700 dark:text-red-400">Expired</span>
  }
  return (
    <span role="timer" className={ms < 60_000 ? 'font-medium text-amber-800 dark:text-amber-300' : undefined}>
      Expires in <span className="font-mono tabular-nums">{left(ms)}</span>
    </span>
  )
}
