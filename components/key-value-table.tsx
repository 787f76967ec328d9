/** The two-column "name | value" table the dashboard uses for user attributes and ID token claims. */
export function KeyValueTable({
  testId,
  caption,
  keyHeader,
  keyColumnClass,
  children,
}: {
  testId: string
  caption: string
  keyHeader: string
  keyColumnClass: string
  children: React.ReactNode
}) {
  return (
    <div className="mt-4 overflow-x-auto">
      <table className="kv" data-testid={testId}>
        <caption className="sr-only">{caption}</caption>
        <colgroup>
          <col className={keyColumnClass} />
          <col />
        </colgroup>
        <thead>
          <tr>
            <th scope="col">{keyHeader}</th>
            <th scope="col">Value</th>
          </tr>
        </thead>
        <tbody>{children}</tbody>
      </table>
    </div>
  )
}
