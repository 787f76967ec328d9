export const metadata = { title: 'Dashboard · Auth.js peer' }

/** Root layout: no design system, only the document. */
export default function RootLayout({ children }) {
  return (
    <html lang="en">
      <body>
        <main id="main">{children}</main>
      </body>
    </html>
  )
}
