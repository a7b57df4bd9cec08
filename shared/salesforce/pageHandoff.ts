/**
 * Hands pages from one producer (an HTTP body being parsed) to one consumer (a query iterator),
 * one at a time: `put` resolves only once the page was taken, so a large body is read no faster
 * than its pages are used and at most one parsed page waits between the two.
 */
export type Taken<T> = { done: false; records: T[] } | { done: true };

interface Offer<T> {
  records: T[];
  accept: (taken: boolean) => void;
}

interface Waiter<T> {
  resolve: (taken: Taken<T>) => void;
  reject: (error: unknown) => void;
}

export class PageHandoff<T> {
  private offer: Offer<T> | null = null;
  private waiter: Waiter<T> | null = null;
  private outcome: { failed: false } | { failed: true; error: unknown } | null = null;
  private abandoned = false;

  /** False once the consumer stopped wanting pages: the producer should stop reading. */
  get wanted(): boolean {
    return !this.abandoned;
  }

  /** Resolves true when the consumer took the page, false when it left instead. */
  put(records: T[]): Promise<boolean> {
    if (this.abandoned) return Promise.resolve(false);
    return new Promise((accept) => {
      this.offer = { records, accept };
      this.match();
    });
  }

  finish(): void {
    this.outcome ??= { failed: false };
    this.match();
  }

  fail(error: unknown): void {
    this.outcome ??= { failed: true, error };
    this.match();
  }

  take(): Promise<Taken<T>> {
    return new Promise((resolve, reject) => {
      this.waiter = { resolve, reject };
      this.match();
    });
  }

  /** The consumer leaves: a page on offer (or any later one) is refused. */
  abandon(): void {
    this.abandoned = true;
    this.offer?.accept(false);
    this.offer = null;
  }

  private match(): void {
    const waiter = this.waiter;
    if (!waiter) return;
    if (this.offer) {
      const offer = this.offer;
      this.offer = null;
      this.waiter = null;
      offer.accept(true);
      waiter.resolve({ done: false, records: offer.records });
    } else if (this.outcome) {
      this.waiter = null;
      if (this.outcome.failed) waiter.reject(this.outcome.error);
      else waiter.resolve({ done: true });
    }
  }
}
