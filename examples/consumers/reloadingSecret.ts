import { readFileSync, statSync } from "node:fs";

/**
 * The consumer's side of a secret file (see secretFile.ts): the secret a service sends, read again
 * whenever the file changes. During a rotation's grace window both the old and the new secret work,
 * so a service that re-reads before the window ends never sees a refused request.
 */
export class ReloadingSecret {
  private value = "";
  private version = "";

  constructor(private readonly path: string) {}

  /** The secret in the file now: re-read when its inode, modification time or size changed (a rename over it changes the inode). */
  current(): string {
    const stat = statSync(this.path);
    const version = `${stat.ino}:${stat.mtimeMs}:${stat.size}`;
    if (version !== this.version) {
      this.value = readFileSync(this.path, "utf8").trim();
      this.version = version;
    }
    return this.value;
  }

  /**
   * One request with the current secret. A 401 re-reads the file and retries once: the secret may
   * have been rotated and its grace window ended between two reads (a service that checks the file
   * only on a timer, or one whose platform copies the file late).
   */
  async send<T extends { readonly status: number }>(request: (secret: string) => Promise<T>): Promise<T> {
    const answer = await request(this.current());
    if (answer.status !== 401) return answer;
    this.version = "";
    return request(this.current());
  }
}
