// Whole outputs right per input length (encoder–decoder tasks): without attention every input must fit in the
// one state the encoder hands over, and accuracy falls with length; with attention it mostly does not.
const pct = (x: number) => `${Math.round(100 * x)} %`;

export function LengthBars({ rows }: { rows: { length: number; count: number; exact: number }[] }) {
  if (rows.length < 2) return null;
  return (
    <figure className="length-bars" data-testid="length-accuracy">
      <figcaption>Whole outputs right, by input length</figcaption>
      <table>
        <tbody>
          {rows.map((r) => (
            <tr key={r.length} title={`${r.count} validation examples of length ${r.length}`}>
              <th className="mono">{r.length}</th>
              <td className="bar-cell">
                <span className="bar" style={{ width: `${Math.max(1, 100 * r.exact)}%` }} />
              </td>
              <td className="mono small">{pct(r.exact)}</td>
              <td className="muted small">n {r.count}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </figure>
  );
}
