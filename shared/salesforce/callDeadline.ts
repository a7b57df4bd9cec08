/**
 * The per-call timeout, counted only while the call waits on Salesforce. A streamed body can be
 * read for minutes when its reader writes each page before taking the next; that wait is ours,
 * so the clock stops during it and restarts, in full, when the body is read again.
 */
export class CallDeadline {
  private timer: NodeJS.Timeout | null = null;
  private stopped = false;

  constructor(
    private readonly ms: number,
    private readonly expire: () => void,
  ) {
    this.arm();
  }

  /** Runs `wait` (the reader's own work) with the clock stopped. */
  async outside<T>(wait: Promise<T>): Promise<T> {
    this.disarm();
    try {
      return await wait;
    } finally {
      this.arm();
    }
  }

  stop(): void {
    this.stopped = true;
    this.disarm();
  }

  private arm(): void {
    if (this.stopped) return;
    this.disarm();
    this.timer = setTimeout(this.expire, this.ms);
  }

  private disarm(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
  }
}
