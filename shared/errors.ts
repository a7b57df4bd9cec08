/** The base of every error seatwise raises on purpose: a stable code plus the context to act on it. */
export class SeatwiseError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly context: Readonly<Record<string, unknown>> = {},
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = new.target.name;
  }
}

/** A dependency (Redis, MongoDB) could not be reached at start-up. */
export class ServiceUnavailableError extends SeatwiseError {
  constructor(service: 'redis' | 'mongodb', detail: string, options?: { cause?: unknown }) {
    super('SERVICE_UNAVAILABLE', `${service} is unreachable: ${detail}`, { service }, options);
  }
}

/** One line for an operator: the message, and the cause's message if there is one. */
export function describeError(error: unknown): string {
  if (error instanceof Error) {
    const cause = error.cause instanceof Error ? ` (${error.cause.message})` : '';
    return `${error.message}${cause}`;
  }
  return String(error);
}
