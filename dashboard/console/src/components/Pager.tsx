/** Previous / next over a server-side page, with the position and a page size. */
import { useId } from 'preact/hooks';

export function Pager(props: {
  label: string;
  total: number;
  offset: number;
  limit: number;
  onChange(offset: number, limit: number): void;
}) {
  const { total, offset, limit } = props;
  const sizeId = useId();
  const last = Math.min(offset + limit, total);
  return (
    <nav class="pager" aria-label={`${props.label} pages`}>
      <button
        type="button"
        disabled={offset === 0}
        onClick={() => props.onChange(Math.max(0, offset - limit), limit)}
      >
        Previous page
      </button>
      <span>{total === 0 ? 'none' : `${offset + 1}–${last} of ${total}`}</span>
      <button type="button" disabled={last >= total} onClick={() => props.onChange(offset + limit, limit)}>
        Next page
      </button>
      <label for={sizeId}>Rows per page</label>
      <select
        id={sizeId}
        value={String(limit)}
        onChange={(e) => props.onChange(0, Number(e.currentTarget.value))}
      >
        {[25, 50, 100, 250, 500].map((n) => (
          <option value={String(n)}>{n}</option>
        ))}
      </select>
    </nav>
  );
}
