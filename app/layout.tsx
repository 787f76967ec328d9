import type { Metadata, Viewport } from 'next'
import './globals.css'

export const metadata: Metadata = {
  title: { default: 'myclinic', template: '%s · myclinic' },
  description: 'myclinic: sign in with WSO2 Identity Server or Asgardeo.',
  icons: { icon: '/logo.svg' },
  referrer: 'no-referrer',
}

export const viewport: Viewport = { width: 'device-width', initialScale: 1 }

export default function RootLayout({ children }: { children: React.ReactNode }) {
  return (
    <html lang="en">
      <body className="min-h-screen font-sans">
        <a href="#main" className="sr-only focus:not-sr-only focus:absolute focus:left-4 focus:top-4 focus:rounded focus:bg-white focus:px-3 focus:py-2 focus:text-slate-900">
          Skip to content
        </a>
        <header className="border-b border-slate-200 bg-white dark:border-slate-800 dark:bg-slate-900">
          <div className="mx-auto flex max-w-5xl items-center gap-3 px-4 py-3">
            <img src="/logo.svg" alt="" width={32} height={32} />
            <span className="text-lg font-bold tracking-tight">
              my<span className="text-brand-600 dark:text-brand-500">clinic</span>
            </span>
            <span className="ml-auto hidden text-sm text-slate-600 sm:inline dark:text-slate-400">
              OIDC authorization code flow with WSO2 Identity Server
            </span>
          </div>
        </header>
        <main id="main" className="mx-auto max-w-5xl px-4 py-8">
          {children}
        </main>
      </body>
    </html>
  )
}
