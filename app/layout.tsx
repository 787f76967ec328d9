import type { Metadata, Viewport } from 'next'
import './globals.css'

export const metadata: Metadata = {
  title: { default: 'myclinic', template: '%s · myclinic' },
  description: 'myclinic: sign in with WSO2 Identity Server or Asgardeo.',
  icons: { icon: '/logo.svg' },
  referrer: 'no-referrer',
}

export const viewport: Viewport = {
  width: 'device-width',
  initialScale: 1,
  colorScheme: 'light dark',
  themeColor: [
    { media: '(prefers-color-scheme: light)', color: '#ffffff' },
    { media: '(prefers-color-scheme: dark)', color: '#0f172a' },
  ],
}

export default function RootLayout({ children }: { children: React.ReactNode }) {
  return (
    <html lang="en">
      <body className="flex min-h-screen flex-col font-sans">
        <a
          href="#main"
          className="sr-only rounded-lg bg-white px-3 py-2 font-semibold text-slate-900 shadow focus:not-sr-only focus:absolute focus:top-3 focus:left-3 focus:z-10 dark:bg-slate-900 dark:text-slate-100"
        >
          Skip to content
        </a>
        <header className="border-b border-slate-200 bg-white dark:border-slate-800 dark:bg-slate-900">
          <div className="mx-auto flex max-w-5xl items-center gap-3 px-4 py-3">
            <img src="/logo.svg" alt="" width={32} height={32} className="size-8" />
            <span className="text-lg font-bold tracking-tight">
              my<span className="text-brand-600 dark:text-brand-400">clinic</span>
            </span>
            <span className="ml-auto hidden text-sm text-slate-600 sm:inline dark:text-slate-400">Patient portal</span>
          </div>
        </header>
        <main id="main" tabIndex={-1} className="mx-auto w-full max-w-5xl flex-1 px-4 py-6 outline-none sm:py-10">
          {children}
        </main>
        <footer className="border-t border-slate-200 dark:border-slate-800">
          <p className="mx-auto max-w-5xl px-4 py-4 text-xs text-slate-600 dark:text-slate-400">
            myclinic — a reference app for OpenID Connect sign-in with WSO2 Identity Server and Asgardeo.
          </p>
        </footer>
      </body>
    </html>
  )
}
