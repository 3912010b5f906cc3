import { readFileSync } from "node:fs";
import { BenchDocsError, documentFile, readResults, renderDocument, resultsFile, tables } from "../../bench/renderDocs";
import { resultsSchema, statOf } from "../../bench/resultsSchema";

describe("docs/performance.md's tables", () => {
  test("are what bench/renderDocs.ts makes of the committed bench/results/latest.json (regenerate: npx tsx bench/renderDocs.ts)", () => {
    const document = readFileSync(documentFile, "utf8");
    expect(renderDocument(document, readResults(resultsFile))).toBe(document);
  });

  test("a figure changed in the results changes the page (the comparison above can fail)", () => {
    const document = readFileSync(documentFile, "utf8");
    const results = readResults(resultsFile);
    const [first, ...rest] = results.provider.operations;
    const changed = {
      ...results,
      provider: { ...results.provider, operations: [{ ...first, ours: { ...first.ours, median: first.ours.median + 1 } }, ...rest] },
    };
    expect(renderDocument(document, changed)).not.toBe(document);
  });

  test("the committed results have the schema's shape, every table its marker pair", () => {
    expect(resultsSchema.safeParse(JSON.parse(readFileSync(resultsFile, "utf8"))).success).toBe(true);
    const document = readFileSync(documentFile, "utf8");
    for (const name of Object.keys(tables)) {
      expect(document).toContain(`<!-- bench:table ${name} -->`);
    }
  });

  test("a marker naming no table, or a table without its marker, is an error naming it", () => {
    const results = readResults(resultsFile);
    const all = Object.keys(tables)
      .map((name) => `<!-- bench:table ${name} -->\nold\n<!-- /bench:table -->`)
      .join("\n\n");
    expect(() => renderDocument(`${all}\n<!-- bench:table nonsense -->\n<!-- /bench:table -->`, results)).toThrow(
      new BenchDocsError(
        'docs/performance.md: no table named "nonsense" (known: machine, hooks, provider, checkpoints, server, verify-floor, plugin-startup, size-series, size-memory, size-cpu)',
      ),
    );
    expect(() => renderDocument(all.replace("<!-- bench:table hooks -->", "<!-- gone -->"), results)).toThrow(/no marker for hooks/);
    // The prose around the markers stays as written.
    const rendered = renderDocument(`Prose before.\n\n${all}\n\nProse after.\n`, results);
    expect(rendered.startsWith("Prose before.\n\n<!-- bench:table machine -->\n| the run |")).toBe(true);
    expect(rendered.endsWith("<!-- /bench:table -->\n\nProse after.\n")).toBe(true);
    expect(rendered).not.toContain("\nold\n");
  });
});

describe("a figure over its repeats", () => {
  test("is its min, median and max, the samples kept in the order measured", () => {
    expect(statOf([3, 1, 2])).toEqual({ min: 1, median: 2, max: 3, samples: [3, 1, 2] });
    expect(statOf([4, 1, 2, 3]).median).toBe(2.5);
    expect(() => statOf([])).toThrow(/no samples/);
  });
});
