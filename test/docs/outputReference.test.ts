import { readFileSync } from "node:fs";
import { join } from "node:path";
import { API_KEY_OUTPUTS, OUTPUT_TABLE } from "../../provider/keyState/outputs";

/** The output reference as docs/inputs.md must show it: one row per output of the table, in its order. */
function outputReference(): string {
  const rows = API_KEY_OUTPUTS.map((name) => `| \`${name}\` | ${"secret" in OUTPUT_TABLE[name] ? "yes" : ""} | ${OUTPUT_TABLE[name].description} |`);
  return ["| output | secret | what it is |", "| --- | --- | --- |", ...rows].join("\n");
}

describe("docs/inputs.md", () => {
  test("its output reference is the output table (provider/keyState/outputs.ts), every row, in order", () => {
    const doc = readFileSync(join(__dirname, "../../docs/inputs.md"), "utf8");
    const start = doc.indexOf("| output | secret | what it is |");
    const table = doc.slice(start).split("\n\n")[0].trimEnd();
    // On a failure, the expected table is printed: paste it into docs/inputs.md.
    expect(table).toBe(outputReference());
  });
});
