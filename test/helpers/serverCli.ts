import { spawn, type ChildProcess } from "node:child_process";
import { resolve } from "node:path";

export const serverCli = resolve(__dirname, "../../server/dist/server/cli.js");

export interface RunningCli {
  readonly child: ChildProcess;
  readonly url: string;
  stdout(): string;
  stderr(): string;
}

/** Starts `apikeys-server` as a user would (with Node flags before the script, if any), and collects what it prints. */
export function startCli(env: Record<string, string>, options: { nodeArgs?: string[] } = {}): Promise<RunningCli> {
  return new Promise((resolvePromise, reject) => {
    const args = [...(options.nodeArgs ?? []), serverCli, ...(env.APIKEYS_PORT ? [] : ["--port", "0"])];
    const child = spawn(process.execPath, args, { env: { PATH: process.env.PATH!, ...env } });
    let stdout = "";
    let stderr = "";
    child.stderr!.on("data", (c) => (stderr += c));
    child.stdout!.on("data", (c) => {
      stdout += c;
      const line = stdout.split("\n").find((l) => l.includes('"listening"'));
      if (line) resolvePromise({ child, url: JSON.parse(line).url, stdout: () => stdout, stderr: () => stderr });
    });
    child.once("exit", (code) => reject(new Error(`apikeys-server exited with ${code}: ${stderr}`)));
  });
}

export const exitOf = (child: ChildProcess) => new Promise<number | null>((r) => child.once("exit", (code) => r(code)));
