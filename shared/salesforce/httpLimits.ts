/**
 * Ceilings on what a Salesforce answer may make us hold, and no redirects: a redirect would carry
 * the bearer token or the client secret to a host the endpoint check never saw.
 *
 * - JSON: a REST query page is at most 2,000 records; seatwise's widest, the User download with
 *   profile and license names, measured 1.8 MB for 2,000 rows from the simulator, so 32 MiB leaves
 *   room for long names and wider fields.
 * - Bulk API 2.0 results are streamed and parsed as they arrive (memory stays bounded by the page
 *   size, not the body), so their ceiling is about time on the wire: 1 GiB per results call is
 *   several times a 100,000-row call of ours. One CSV record is held whole, hence its own ceiling.
 * - OAuth and identity answers are a few hundred bytes.
 */
export const MAX_JSON_RESPONSE_BYTES = 32 * 1024 * 1024;
export const MAX_STREAMED_RESPONSE_BYTES = 1024 * 1024 * 1024;
export const MAX_CSV_RECORD_BYTES = 1024 * 1024;
export const MAX_OAUTH_RESPONSE_BYTES = 256 * 1024;
/** Our own request bodies: a composite call of 200 records. */
export const MAX_REQUEST_BYTES = 8 * 1024 * 1024;
/**
 * axios's own ceiling on a streamed body wraps the stream in another one, which then outlives
 * the socket's timeout handling: streamed bodies are counted by their reader instead
 * (bulkCsv.ts, MAX_STREAMED_RESPONSE_BYTES).
 */
export const NO_AXIOS_LIMIT = -1;

/** axios refused a body over `maxContentLength`: asking again would only bring the same body. */
export function isTooLarge(error: unknown): boolean {
  return error instanceof Error && /maxContentLength size of \d+ exceeded/.test(error.message);
}

/** axios options every Salesforce call shares. */
export function boundedRequest(maxContentLength: number) {
  return { maxContentLength, maxBodyLength: MAX_REQUEST_BYTES, maxRedirects: 0 } as const;
}
