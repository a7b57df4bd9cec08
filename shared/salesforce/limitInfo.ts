/** `Sforce-Limit-Info: api-usage=124/100000[; per-app-api-usage=…]` → used / max, or null. */
export function parseLimitInfo(header: unknown): { used: number; max: number } | null {
  if (typeof header !== 'string') return null;
  const match = /(?:^|[;,\s])api-usage=(\d+)\/(\d+)/.exec(header);
  if (!match?.[1] || !match[2]) return null;
  return { used: Number(match[1]), max: Number(match[2]) };
}
