import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { runCli } from "../../../review/cli";
import { csvField } from "../../../review/credentials/format/csv";
import { SECRET_PLACEHOLDER } from "../../../review/credentials/secrets";
import { parseStackExport } from "../../../review/credentials/stackExport";
import { DYNAMIC_API_KEY_TYPE } from "../../../shared/resourceTypes";
import { apiKey, AS_OF, CIPHERTEXT, daysBefore, encrypted, exportText, impersonate, PLAINTEXT, search, shown } from "../exportFixture";

/**
 * The credential report and the review read what a key's owner wrote (description, metadata,
 * privileges' targetIds) and what a stack's state holds: each test runs the real
 * `pulumi-apikeys` command on an export (or preview) file built as hostile as state allows.
 */

const dir = mkdtempSync(join(tmpdir(), "apikeys-hostile-"));
let files = 0;

function run(argv: string[], input?: string) {
  const out: string[] = [];
  const err: string[] = [];
  const args = [...argv];
  if (input !== undefined) {
    const file = join(dir, `input-${files++}.json`);
    writeFileSync(file, input);
    args.splice(argv[0] === "report" ? 1 : 0, 0, file);
  }
  const code = runCli(args, { stdin: () => "", stdout: (s) => out.push(s), stderr: (s) => err.push(s), cwd: dir, now: () => AS_OF });
  return { code, out: out.join(""), err: err.join("") };
}

/** A GFM table row's cells as cmark-gfm splits them: at every "|" not escaped by a backslash (extensions/table.c). */
function cellsOf(row: string): string[] {
  const cells: string[] = [];
  let cell = "";
  for (let i = 0; i < row.length; i++) {
    if (row[i] === "\\" && row[i + 1] === "|") {
      cell += "\\|";
      i++;
    } else if (row[i] === "|") {
      cells.push(cell);
      cell = "";
    } else cell += row[i];
  }
  cells.push(cell);
  // The row's leading and trailing pipes.
  return cells.slice(1, -1);
}

/**
 * The table of a Markdown report as a GFM renderer reads it: lines end at LF, CR LF or a lone CR
 * (CommonMark's line endings), and the table runs from its header to the first blank line.
 */
function tableRows(markdown: string): string[] {
  const lines = markdown.split(/\r\n|\r|\n/);
  const header = lines.findIndex((l) => l.startsWith("| ") && lines[lines.indexOf(l) + 1]?.startsWith("| ---"));
  const end = lines.findIndex((l, i) => i > header && l.trim() === "");
  return lines.slice(header + 2, end === -1 ? undefined : end);
}

/** A cell's text less its code spans (CommonMark: a run of n backticks to the next run of exactly n), where nothing is markup. */
function withoutCodeSpans(cell: string): string {
  let rest = "";
  let i = 0;
  while (i < cell.length) {
    if (cell[i] !== "`") {
      rest += cell[i++];
      continue;
    }
    const run = /^`+/.exec(cell.slice(i))![0].length;
    let close = -1;
    for (let j = i + run; j < cell.length && close === -1;) {
      const next = /^`*/.exec(cell.slice(j))![0].length;
      if (next === run) close = j;
      j += Math.max(next, 1);
    }
    if (close === -1) {
      rest += cell.slice(i, i + run);
      i += run;
    } else {
      rest += "CODE";
      i = close + run;
    }
  }
  return rest;
}

/** What a GFM renderer could take for markup that the report did not mean: raw HTML, stray backticks, controls. */
function expectInert(markdown: string) {
  // No control character but the line feeds between lines.
  const controls = [...markdown].filter((c) => {
    const n = c.codePointAt(0) ?? 0;
    return (n < 0x20 && n !== 0x0a) || (n >= 0x7f && n <= 0x9f) || n === 0x2028 || n === 0x2029 || (n >= 0x202a && n <= 0x202e) || (n >= 0x2066 && n <= 0x2069);
  });
  expect(controls).toEqual([]);
  for (const row of tableRows(markdown))
    for (const cell of cellsOf(row)) {
      const text = withoutCodeSpans(cell);
      // The report's own tag is <br> between lines of a cell; in a code span < is text.
      expect(text.replace(/<br>/g, "")).not.toContain("<");
      expect(text).not.toContain("`");
      // Every & starts a character reference the report wrote.
      expect(text.replace(/&(amp|lt|gt|#\d+);/g, "")).not.toContain("&");
    }
}

describe("the credential report's Markdown: a key's own fields stay inside their cell", () => {
  const hostile = exportText([
    // ownerText shows the description of a key without an owner label.
    apiKey("a-billing", { description: "payments\r<!--", metadata: {} }),
    apiKey("b-pipes", {
      privileges: [
        { ...search, targetIds: ["a|b|c"] },
        { ...search, targetDomain: "QUERY_SUGGEST", targetIds: ["x`<img src=x onerror=alert(1)>`y", '<a href="https://evil.example">docs</a>'] },
      ],
      metadata: { owner: "team | <b>bold</b> & co\u0000\u001b[31m\u202eevil" },
    }),
    apiKey("c-vertical\u2028tab\tname", { description: "line one\nline two", metadata: {} }),
    // The key the comment above would have hidden: high findings, and a hostile privilege in their message.
    apiKey("z-idle-admin", {
      privileges: [{ ...impersonate, targetIds: ["`</td><script>x</script>|"] }],
      lastUsedAt: undefined,
      createdAt: daysBefore(120),
      rotatedAt: daysBefore(120),
      rotation: undefined,
    }),
  ]);

  test("every row has its 13 cells, the high key is still there, and nothing in it is markup", () => {
    const result = run(["report", "--fail-on", "high"], hostile);
    expect(result.code).toBe(2);
    const rows = tableRows(result.out);
    expect(rows).toHaveLength(4);
    for (const row of rows) expect(cellsOf(row)).toHaveLength(13);
    expect(rows.map((r) => cellsOf(r)[1].trim())).toEqual(["a-billing", "b-pipes", expect.stringMatching(/^c-vertical.tab.name$/), "z-idle-admin"]);
    expect(rows[3]).toContain("⛔ holds high-risk privilege");
    expectInert(result.out);
    // What the fields said is still there for a reader, as text.
    expect(rows[0]).toContain("payments␍&lt;!--");
    expect(rows[1]).toContain("`SEARCH_API/EXECUTE_QUERY/ENABLE[a\\|b\\|c]`");
    expect(rows[1]).toContain('``SEARCH_API/QUERY_SUGGEST/ENABLE[<a href="https://evil.example">docs</a>,x`<img src=x onerror=alert(1)>`y]``');
    expect(rows[3]).toContain("SEARCH_API/IMPERSONATE/ENABLE\\[&#96;&lt;/td&gt;&lt;script&gt;x&lt;/script&gt;&#124;\\] and is never used");
    expect(rows[2]).toContain("line one line two");
  });

  test("the GitHub format's Markdown is the same", () => {
    const result = run(["report", "--format", "github"], hostile);
    for (const row of tableRows(result.out)) expect(cellsOf(row)).toHaveLength(13);
    expectInert(result.out);
  });
});

describe("the review's Markdown: a privilege or an environment from a preview stays inside its cell", () => {
  const urn = (name: string) => `urn:pulumi:prod::shop::${DYNAMIC_API_KEY_TYPE}::${name}`;
  const preview = JSON.stringify({
    steps: [
      {
        op: "create",
        urn: urn("pipes|<img src=x>"),
        newState: {
          type: DYNAMIC_API_KEY_TYPE,
          inputs: {
            privileges: [
              { ...search, targetIds: ["a|b|c"] },
              { ...impersonate, targetIds: ["x`<img src=x onerror=alert(1)>`", "\r<!--"] },
            ],
          },
        },
      },
      {
        op: "update",
        urn: urn("env"),
        oldState: { type: DYNAMIC_API_KEY_TYPE, outputs: { environment: "test\r<!--", privileges: [search] }, inputs: { environment: "test\r<!--" } },
        newState: { type: DYNAMIC_API_KEY_TYPE, inputs: { environment: "live", privileges: [search] } },
      },
      { op: "create", urn: urn("after"), newState: { type: DYNAMIC_API_KEY_TYPE, inputs: { privileges: [impersonate] } } },
    ],
  });

  test("every row has its 7 cells, and nothing in it is markup", () => {
    const result = run(["--fail-on", "high"], preview);
    expect(result.code).toBe(2);
    const rows = tableRows(result.out);
    expect(rows).toHaveLength(3);
    for (const row of rows) expect(cellsOf(row)).toHaveLength(7);
    expect(rows[2]).toContain("| after |");
    expectInert(result.out);
  });
});

describe("a field the report cannot read is a finding, not a clean key", () => {
  const idle = { privileges: [impersonate], lastUsedAt: undefined, createdAt: daysBefore(120), rotatedAt: daysBefore(120), rotation: undefined };
  const secretIdle = { ...idle, privileges: encrypted(), createdAt: encrypted(), rotatedAt: encrypted() };

  test("the plain key: exit 2 on --fail-on high, four findings", () => {
    const result = run(["report", "--format", "json", "--fail-on", "high"], exportText([apiKey("idle", idle)]));
    expect(result.code).toBe(2);
    expect(JSON.parse(result.out).keys[0].findings.map((f: { kind: string }) => f.kind)).toEqual([
      "unused-high-risk",
      "never-used",
      "stale-secret",
      "no-rotation-no-expiry",
    ]);
  });

  test("privileges, createdAt and rotatedAt stored as secrets: an unreadable finding, high, in every format, and the exit code stays 2", () => {
    const text = exportText([apiKey("idle", secretIdle)]);
    const json = run(["report", "--format", "json", "--fail-on", "high"], text);
    expect(json.code).toBe(2);
    const [key] = JSON.parse(json.out).keys;
    expect(key.unreadable).toEqual([
      { field: "privileges", why: "secret" },
      { field: "createdAt", why: "secret" },
      { field: "rotatedAt", why: "secret" },
    ]);
    expect(key.findings).toEqual([
      expect.objectContaining({
        kind: "unreadable",
        severity: "high",
        hides: expect.arrayContaining(["unused-high-risk", "never-used", "stale-secret"]),
        message: expect.stringContaining("cannot read privileges, createdAt and rotatedAt (secrets in this export): it may hide"),
      }),
      expect.objectContaining({ kind: "no-rotation-no-expiry" }),
    ]);
    // A finding kind the unreadable field may hide fails the run as the finding itself would.
    expect(run(["report", "--fail-on", "never-used"], text).code).toBe(2);
    expect(run(["report", "--fail-on", "unreadable"], text).code).toBe(2);
    expect(run(["report", "--fail-on", "expiring"], text).code).toBe(0);

    const markdown = run(["report"], text).out;
    expect(markdown).toContain("⛔ cannot read privileges, createdAt and rotatedAt");
    expect(markdown).toMatch(/\| unreadable \(secret\) \| unreadable \(secret\) \|/);
    const csv = run(["report", "--format", "csv"], text).out.split("\r\n");
    expect(csv[0]).toMatch(/,findings,unreadable_fields$/);
    expect(csv[1]).toMatch(/,"unreadable; no-rotation-no-expiry","privileges; createdAt; rotatedAt"$/);
    const github = run(["report", "--format", "github"], text);
    expect(github.err).toMatch(/^::error title=API key shop\/payments idle%3A unreadable::idle: cannot read privileges/);
    for (const output of [json.out, markdown, csv.join("\n"), github.out + github.err]) expect(output).not.toContain(CIPHERTEXT);
  });

  test("the same outputs from `pulumi stack export --show-secrets` are read (and the key's secret still never printed)", () => {
    const reveal = {
      ...idle,
      privileges: shown(idle.privileges),
      createdAt: shown(idle.createdAt),
      rotatedAt: shown(idle.rotatedAt),
      secret: shown(PLAINTEXT),
    };
    const result = run(["report", "--format", "json", "--fail-on", "high"], exportText([apiKey("idle", reveal)]));
    expect(result.code).toBe(2);
    const [key] = JSON.parse(result.out).keys;
    expect(key.unreadable).toEqual([]);
    expect(key.privileges.map((p: { privilege: string }) => p.privilege)).toEqual(["SEARCH_API/IMPERSONATE/ENABLE"]);
    expect(key.findings.map((f: { kind: string }) => f.kind)).toEqual(["unused-high-risk", "never-used", "stale-secret", "no-rotation-no-expiry"]);
    expect(result.err).toContain("holds decrypted secrets");
    expect(result.out + result.err).not.toContain(PLAINTEXT);
  });

  test("a label the program made secret is a low finding; a whole secret outputs object hides nothing either", () => {
    const label = run(["report", "--format", "json", "--fail-on", "medium"], exportText([apiKey("k", { description: encrypted(), metadata: encrypted() })]));
    expect(label.code).toBe(0);
    expect(JSON.parse(label.out).keys[0].findings).toEqual([
      expect.objectContaining({
        kind: "unreadable",
        severity: "low",
        hides: [],
        message: expect.stringContaining("cannot read description and metadata (secrets in this export): no finding depends on them"),
      }),
    ]);
    const whole = { ...apiKey("k", {}), outputs: encrypted() };
    const result = run(["report", "--format", "json", "--fail-on", "high"], exportText([whole]));
    expect(result.code).toBe(2);
    expect(JSON.parse(result.out).keys[0].unreadable).toContainEqual({ field: "privileges", why: "secret" });
    // Shown as a whole, the fields the report reads are read, and the key's own secret stays a placeholder.
    const { outputs } = apiKey("k", { secret: PLAINTEXT });
    const parsed = parseStackExport(exportText([{ ...apiKey("k", {}), outputs: shown(outputs) }]), "shown.json");
    expect(parsed.export.deployment.resources![1].outputs).toMatchObject({ keyId: "key_k", privileges: [search], secret: SECRET_PLACEHOLDER });
    expect(JSON.stringify(parsed.export)).not.toContain(PLAINTEXT);
  });

  test("a field of another shape is unreadable too, naming what it should be", () => {
    const result = run(["report", "--format", "json", "--fail-on", "high"], exportText([apiKey("k", { ...idle, privileges: 42 })]));
    expect(result.code).toBe(2);
    expect(JSON.parse(result.out).keys[0].unreadable).toEqual([{ field: "privileges", why: "unexpected shape" }]);
  });
});

describe("an unparseable date", () => {
  test('expiresAt "soon" is unreadable: no NaN, no expiring finding, and no-rotation-no-expiry is not silently dropped', () => {
    const text = exportText([apiKey("k", { expiresAt: "soon", rotation: undefined })]);
    const json = run(["report", "--format", "json", "--fail-on", "no-rotation-no-expiry"], text);
    expect(json.code).toBe(2);
    const [key] = JSON.parse(json.out).keys;
    expect(key.unreadable).toEqual([{ field: "expiresAt", why: "not a date" }]);
    expect(key).not.toHaveProperty("daysToExpiry");
    expect(key.findings).toEqual([
      expect.objectContaining({
        kind: "unreadable",
        severity: "medium",
        hides: ["no-rotation-no-expiry", "expiring"],
        message: expect.stringContaining("cannot read expiresAt (not a date)"),
      }),
    ]);
    const markdown = run(["report"], text).out;
    for (const output of [json.out, markdown, run(["report", "--format", "csv"], text).out]) expect(output).not.toContain("NaN");
    expect(markdown).toContain("| unreadable (not a date) |");
    // With a rotation policy, an unknown expiry cannot hide no-rotation-no-expiry.
    const rotated = JSON.parse(run(["report", "--format", "json"], exportText([apiKey("k", { expiresAt: "soon" })])).out).keys[0];
    expect(rotated.findings).toEqual([expect.objectContaining({ kind: "unreadable", severity: "low", hides: ["expiring"] })]);
  });

  test("createdAt and lastUsedAt that are not dates do not make a key look never used or fresh", () => {
    const [key] = JSON.parse(run(["report", "--format", "json"], exportText([apiKey("k", { lastUsedAt: "yesterday", createdAt: "long ago" })])).out).keys;
    expect(key.unreadable).toEqual([
      { field: "createdAt", why: "not a date" },
      { field: "lastUsedAt", why: "not a date" },
    ]);
    expect(key.lastUse).toEqual({ reported: false, unreadable: true });
    expect(key.findings[0]).toMatchObject({ kind: "unreadable", severity: "medium", hides: ["unused", "never-used"] });
  });
});

describe("CSV: a cell cannot become a formula or a new cell under any common separator", () => {
  /** Splits one CSV line at `separator` as a spreadsheet does, honouring RFC 4180 quotes. */
  function fieldsOf(line: string, separator: string): string[] {
    const fields: string[] = [];
    let field = "";
    let quoted = false;
    for (let i = 0; i < line.length; i++) {
      const c = line[i];
      if (quoted) {
        if (c === '"' && line[i + 1] === '"') {
          field += '"';
          i++;
        } else if (c === '"') quoted = false;
        else field += c;
      } else if (c === '"' && field === "") quoted = true;
      else if (c === separator) {
        fields.push(field);
        field = "";
      } else field += c;
    }
    return [...fields, field];
  }

  test("a cell holding ; or a tab is quoted; one starting like a formula, there or after a separator inside, is prefixed with ' and quoted", () => {
    expect(csvField("ok;=1+1")).toBe(`"ok;'=1+1"`);
    expect(csvField("a\tb")).toBe('"a\tb"');
    expect(csvField("=1+1")).toBe(`"'=1+1"`);
    expect(csvField("\r=1")).toBe(`"'\r'=1"`);
    expect(csvField("ok\n@x")).toBe(`"ok\n'@x"`);
    expect(csvField("plain text")).toBe("plain text");
  });

  test("through the command: no field of any row starts a formula when opened with , ; or tab as separator", () => {
    const text = exportText([
      apiKey("k", { description: "ok;=1+1", metadata: { owner: "x\t=2+2" }, displayName: "a|@SUM(1)" }),
      apiKey("k2", { description: "-1;+1,@x\t=y", metadata: {} }),
    ]);
    const lines = run(["report", "--format", "csv"], text).out.trimEnd().split("\r\n");
    for (const separator of [",", ";", "\t"])
      for (const line of lines) for (const field of fieldsOf(line, separator)) expect(field).not.toMatch(/^[=+\-@\t\r]/);
  });
});

describe("deeply nested outputs", () => {
  /** JSON text `depth` arrays deep around `leaf` (written as text: JSON.stringify itself recurses). */
  const nested = (depth: number, leaf: string) => `${"[".repeat(depth)}${leaf}${"]".repeat(depth)}`;

  test.each([3_500, 100_000])("%d levels in a key's output, another resource's and a shown secret: the report still runs", (depth) => {
    const text = exportText([
      apiKey("k", { extra: "EXTRA", rotation: { rotateAfterDays: 30, trigger: "TRIGGER" } }),
      { urn: "urn:pulumi:payments::shop::random:index/randomPet:RandomPet::pet", type: "random:index/randomPet:RandomPet", outputs: { deep: "DEEP" } },
    ])
      .replace('"EXTRA"', nested(depth, '"x"'))
      .replace('"TRIGGER"', nested(depth, "1"))
      .replace('"DEEP"', nested(depth, JSON.stringify(shown("x"))));
    const result = run(["report", "--format", "json"], text);
    expect(result.err).toContain("holds decrypted secrets");
    expect(result.code).toBe(0);
    const [key] = JSON.parse(result.out).keys;
    expect(key.name).toBe("k");
    expect(key.unreadable).toEqual([{ field: "rotation", why: "unexpected shape" }]);
  });

  test("a shown secret of a reported field holding deep JSON is read without recursion", () => {
    const text = exportText([apiKey("k", { description: "DESCRIPTION" })]).replace(
      '"DESCRIPTION"',
      JSON.stringify({ ...shown(null), plaintext: nested(100_000, '"x"') }),
    );
    const result = run(["report", "--format", "json"], text);
    expect(result.code).toBe(0);
    expect(JSON.parse(result.out).keys[0].unreadable).toEqual([{ field: "description", why: "unexpected shape" }]);
  });
});
