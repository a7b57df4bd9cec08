/**
 * Fetch page n+1 while page n is being written, and never more: one page in hand and one being
 * written, whatever the size of the source. A write failure stops the fetching and is thrown.
 */
export async function pipelinePages<T>(
  pages: AsyncIterable<T>,
  write: (page: T) => Promise<void>,
): Promise<void> {
  let writing: Promise<void> | null = null;
  try {
    for await (const page of pages) {
      if (writing) await writing;
      writing = write(page);
      // Observed below; keeps a failure during the next fetch from being reported as unhandled.
      writing.catch(() => undefined);
    }
    if (writing) await writing;
  } finally {
    // If fetching failed, let the write in flight settle before the caller moves on.
    if (writing) await writing.catch(() => undefined);
  }
}
