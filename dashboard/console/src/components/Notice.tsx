/** A message read out by screen readers: errors interrupt (alert), the rest wait their turn (status). */
export function Notice(props: { error?: string | undefined; message?: string | undefined }) {
  if (props.error)
    return (
      <p class="notice error" role="alert">
        {props.error}
      </p>
    );
  if (props.message)
    return (
      <p class="notice ok" role="status">
        {props.message}
      </p>
    );
  return null;
}
