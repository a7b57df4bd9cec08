/**
 * Money is kept in integer minor units of one ISO 4217 currency (cents for EUR/USD, yen for JPY), so
 * sums of many seats never pick up binary floating-point error. Only formatting divides.
 */
import { SeatwiseError } from '../errors.js';

/** ISO 4217 codes the runtime knows (Intl), so a typo such as "EUR " or "EURO" is refused at the edge. */
export function isKnownCurrency(code: string): boolean {
  if (!/^[A-Z]{3}$/.test(code)) return false;
  return Intl.supportedValuesOf('currency').includes(code);
}

/** Digits after the decimal point of the currency's minor unit (2 for EUR, 0 for JPY, 3 for KWD). */
export function currencyExponent(currency: string): number {
  return (
    new Intl.NumberFormat('en', { style: 'currency', currency }).resolvedOptions().maximumFractionDigits ?? 2
  );
}

/** `count` seats at `unitMinor` each; refuses results past 2^53 rather than rounding them silently. */
export function timesMinor(count: number, unitMinor: number): number {
  const product = count * unitMinor;
  if (!Number.isSafeInteger(count) || !Number.isSafeInteger(unitMinor) || !Number.isSafeInteger(product)) {
    throw new SeatwiseError('MONEY_OUT_OF_RANGE', `${count} × ${unitMinor} is not a safe integer amount`, {
      count,
      unitMinor,
    });
  }
  return product;
}

/** Plain decimal text of an amount, e.g. 123456 EUR → "1234.56", 500 JPY → "500" (for CSV and logs). */
export function formatMinor(amountMinor: number, currency: string): string {
  const exponent = currencyExponent(currency);
  const sign = amountMinor < 0 ? '-' : '';
  const digits = String(Math.abs(amountMinor)).padStart(exponent + 1, '0');
  if (exponent === 0) return `${sign}${digits}`;
  return `${sign}${digits.slice(0, -exponent)}.${digits.slice(-exponent)}`;
}
