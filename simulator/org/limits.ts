/**
 * The org's API allowance (used/max over the "rolling 24 hours", which here only moves when calls
 * are made or an admin sets it) and the cap on requests in flight at the same time.
 */
export type Edition = 'Enterprise' | 'Unlimited' | 'Developer';

/** Salesforce's formula: a base per edition plus a share per full (Salesforce or Platform) license. */
export function defaultDailyApiLimit(edition: Edition, fullLicenses: number): number {
  if (edition === 'Developer') return 15_000;
  return 100_000 + fullLicenses * (edition === 'Unlimited' ? 5_000 : 1_000);
}

export interface ApiUsageView {
  used: number;
  max: number;
  inFlight: number;
  maxConcurrent: number;
}

export class ApiLimits {
  used = 0;
  private inFlight = 0;

  constructor(
    public max: number,
    public maxConcurrent: number,
  ) {}

  tryEnter(): boolean {
    if (this.inFlight >= this.maxConcurrent) return false;
    this.inFlight += 1;
    return true;
  }

  leave(): void {
    this.inFlight = Math.max(0, this.inFlight - 1);
  }

  tryCount(): boolean {
    if (this.used >= this.max) return false;
    this.used += 1;
    return true;
  }

  header(): string {
    return `api-usage=${this.used}/${this.max}`;
  }

  view(): ApiUsageView {
    return { used: this.used, max: this.max, inFlight: this.inFlight, maxConcurrent: this.maxConcurrent };
  }
}
