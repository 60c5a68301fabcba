// A progress line on stderr, only when stderr is a terminal (never in pipes, CI logs or --json runs).

export interface Progress {
  step(label: string): void;
  done(): void;
}

export function progress(total: number, enabled = Boolean(process.stderr.isTTY)): Progress {
  let n = 0;
  const started = Date.now();
  const draw = (label: string) => {
    const width = 24;
    const filled = Math.round((n / Math.max(1, total)) * width);
    const secs = ((Date.now() - started) / 1000).toFixed(0);
    process.stderr.write(`\r\x1b[2K[${"#".repeat(filled)}${"-".repeat(width - filled)}] ${n}/${total} ${secs}s ${label}`);
  };
  return {
    step(label) {
      if (enabled) draw(label);
      n++;
    },
    done() {
      if (enabled) process.stderr.write("\r\x1b[2K");
    },
  };
}
