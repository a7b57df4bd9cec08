/**
 * Progress of each profile's first run: bars redrawn in place on a terminal, one plain line per
 * change otherwise (CI logs, pipes), so the output stays readable in both.
 */
export interface ProfileProgress {
  name: string;
  /** 0..1 */
  fraction: number;
  phase: string;
}

export interface ProgressDisplay {
  update(rows: readonly ProfileProgress[]): void;
  done(): void;
}

const WIDTH = 28;

function bar(fraction: number): string {
  const filled = Math.round(Math.min(1, Math.max(0, fraction)) * WIDTH);
  return `[${'#'.repeat(filled)}${'.'.repeat(WIDTH - filled)}]`;
}

function line(row: ProfileProgress, nameWidth: number): string {
  const pct = `${Math.round(row.fraction * 100)}%`.padStart(4);
  return `${row.name.padEnd(nameWidth)} ${bar(row.fraction)} ${pct}  ${row.phase}`;
}

export function createProgressDisplay(stream: NodeJS.WriteStream = process.stdout): ProgressDisplay {
  const last = new Map<string, string>();
  let drawn = 0;
  return {
    update(rows) {
      const nameWidth = Math.max(...rows.map((r) => r.name.length), 8);
      if (stream.isTTY) {
        if (drawn > 0) stream.write(`\x1b[${drawn}A`);
        for (const row of rows) stream.write(`\x1b[2K${line(row, nameWidth)}\n`);
        drawn = rows.length;
        return;
      }
      for (const row of rows) {
        const text = `${row.name}: ${row.phase} (${Math.round(row.fraction * 100)}%)`;
        if (last.get(row.name) !== text) stream.write(`${text}\n`);
        last.set(row.name, text);
      }
    },
    done() {
      drawn = 0;
    },
  };
}
