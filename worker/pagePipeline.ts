/**
 * Fetch the next page while earlier ones are being written: at most `inFlight` writes pending and
 * one page in hand, whatever the size of the source. A write failure stops the fetching and is
 * thrown once every write already started has settled.
 *
 * Why more than one write: FerretDB takes user documents at about 19,000 a second with one
 * `insertMany` in flight and 28,000 with two, and the worker parses the next page meanwhile.
 */
export async function pipelinePages<T>(
  pages: AsyncIterable<T>,
  write: (page: T) => Promise<void>,
  inFlight = 1,
): Promise<void> {
  const pending: Promise<void>[] = [];
  let failure: { error: unknown } | null = null;
  try {
    for await (const page of pages) {
      if (failure) break;
      if (pending.length >= inFlight) await pending.shift();
      if (failure) break;
      const writing = write(page);
      // Recorded here; keeps a failure during the next fetch from being reported as unhandled.
      writing.catch((error: unknown) => {
        failure ??= { error };
      });
      pending.push(writing);
    }
    while (pending.length > 0) await pending.shift();
  } finally {
    // If fetching or a write failed, let the writes in flight settle before the caller moves on.
    await Promise.allSettled(pending);
  }
  if (failure) throw (failure as { error: unknown }).error;
}
