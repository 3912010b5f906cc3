import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";

const yaml = require("js-yaml") as { load(text: string): unknown };
const dir = join(__dirname, "../../examples/gitops");

interface Workflow {
  readonly jobs: Record<string, { readonly permissions?: Record<string, string>; readonly steps?: Array<{ readonly uses?: string }> }>;
}

describe("the example GitHub Actions workflows", () => {
  test.each(readdirSync(dir).filter((name) => name.endsWith(".yml")))(
    "%s: a job that checks out the repository and sets its permissions keeps contents: read (a job's permissions replace the defaults)",
    (name) => {
      const workflow = yaml.load(readFileSync(join(dir, name), "utf8")) as Workflow;
      const missing = Object.entries(workflow.jobs)
        .filter(([, job]) => job.permissions && (job.steps ?? []).some((step) => step.uses?.startsWith("actions/checkout")))
        .filter(([, job]) => job.permissions?.contents !== "read" && job.permissions?.contents !== "write")
        .map(([id]) => id);
      expect(missing).toEqual([]);
    },
  );
});
