/**
 * Wall clock for expiries (tokens, auth codes, locators, bulk jobs). Tests advance it instead of
 * sleeping for ten or fifteen minutes. Record dates use the org's fixed "now" instead.
 */
export class SimClock {
  private offsetMs = 0;

  now(): number {
    return Date.now() + this.offsetMs;
  }

  advance(ms: number): void {
    this.offsetMs += ms;
  }
}
