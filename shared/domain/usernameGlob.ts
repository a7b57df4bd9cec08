/**
 * Username globs (`*` any run of characters, `?` exactly one), matched without regular expressions.
 * A glob compiled to a backtracking RegExp (`^.*.….*#$`) takes exponential time on a near miss: `*?`
 * ten times then `#` took 22 s against one username, long enough for a job's lock to expire and the
 * next worker to stall on the same job. The matcher here is the two-pointer wildcard match: it
 * remembers only the last `*` and retries from there, so a match costs at most
 * glob length × username length steps, and the limits below bound the glob.
 */

/** Longer than any Salesforce username (80 characters) plus room for wildcards. */
export const GLOB_MAX_LENGTH = 128;
/** Enough for real patterns (`*.admin@*.example.com`); keeps the product above small. */
export const GLOB_MAX_WILDCARDS = 16;

export interface GlobLimitProblem {
  message: string;
}

/** Why a glob may not be saved, or null when it is within the limits. */
export function globLimitProblem(glob: string): GlobLimitProblem | null {
  const chars = Array.from(glob.trim());
  if (chars.length > GLOB_MAX_LENGTH) {
    return { message: `a username pattern may have at most ${GLOB_MAX_LENGTH} characters` };
  }
  const wildcards = chars.filter((c) => c === '*' || c === '?').length;
  if (wildcards > GLOB_MAX_WILDCARDS) {
    return {
      message: `a username pattern may have at most ${GLOB_MAX_WILDCARDS} wildcards (* and ?); it has ${wildcards}`,
    };
  }
  return null;
}

/**
 * Matches the whole of `text` against `glob`, ignoring case; `?` is one character (code point).
 * Runs of `*` collapse to one. Worst case O(glob × text), never exponential.
 */
export function globMatches(glob: string, text: string): boolean {
  const pattern = collapseStars(Array.from(glob.trim().toLowerCase()));
  const subject = Array.from(text.toLowerCase());
  let p = 0;
  let s = 0;
  // Where the last `*` was, and the subject position it currently swallows up to.
  let star = -1;
  let starSubject = 0;
  while (s < subject.length) {
    const c = pattern[p];
    if (c === '*') {
      star = p;
      starSubject = s;
      p++;
    } else if (c !== undefined && (c === '?' || c === subject[s])) {
      p++;
      s++;
    } else if (star >= 0) {
      // Let the last `*` take one more character and retry what follows it.
      p = star + 1;
      starSubject++;
      s = starSubject;
    } else {
      return false;
    }
  }
  while (pattern[p] === '*') p++;
  return p === pattern.length;
}

function collapseStars(chars: string[]): string[] {
  const out: string[] = [];
  for (const c of chars) if (!(c === '*' && out[out.length - 1] === '*')) out.push(c);
  return out;
}

/**
 * A glob ready to test usernames. One saved before the limits existed, or written to the database
 * directly, is still matched (in bounded time) but conservatively: it excludes every user, so a rule
 * meant to protect people never lets them be reclaimed because it became too complex to evaluate.
 */
export function compileUsernameGlob(glob: string): (username: string) => boolean {
  if (globLimitProblem(glob)) return () => true;
  return (username) => globMatches(glob, username);
}
