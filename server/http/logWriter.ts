import { writeSync } from "node:fs";
import { errorCodeOf } from "../../shared/caught";

/**
 * One JSON line per request on standard output, written in batches: a pipe write is a synchronous
 * system call on Linux, and one per request was the largest single cost of a verification (10% of
 * the server's CPU at 5,000 verifications a second). Lines written during one turn of the event loop
 * go out together right after it, in order. `flush` runs on close and on process exit, so a clean
 * shutdown (or `process.exit`) loses no line.
 */
export class LogWriter {
  private pending: string[] = [];
  private scheduled = false;
  private readonly flushOnExit = () => this.flushSync();

  constructor(private readonly fd = 1) {
    process.once("exit", this.flushOnExit);
  }

  write(line: Record<string, unknown>): void {
    this.pending.push(JSON.stringify(line));
    if (this.pending.length >= 512) return this.flushSync();
    if (!this.scheduled) {
      this.scheduled = true;
      setImmediate(() => this.flushSync());
    }
  }

  /** Writes what is pending now. */
  flushSync(): void {
    this.scheduled = false;
    if (this.pending.length === 0) return;
    const text = `${this.pending.join("\n")}\n`;
    this.pending = [];
    try {
      writeSync(this.fd, text);
    } catch (error) {
      // EAGAIN on a non-blocking pipe that is full: hand it to the stream, which queues it.
      if (errorCodeOf(error) === "EAGAIN") process.stdout.write(text);
      else throw error;
    }
  }

  /** Flushes and stops listening for process exit. */
  close(): void {
    this.flushSync();
    process.removeListener("exit", this.flushOnExit);
  }
}
