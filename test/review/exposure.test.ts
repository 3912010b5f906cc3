import { keyChanges } from "../../review/keyChanges";
import { DYNAMIC_API_KEY_TYPE as API_KEY_TYPE } from "../../shared/resourceTypes";
import { markdownReport } from "../../review/keyChangeReport";
import type { PreviewJson } from "../../review/previewJson";
import { searchPrivilege } from "../helpers/fixtures";

const exposure = {
  severity: "HIGH",
  reasons: [{ source: "GITHUB", url: "https://github.com/acme/web/blob/main/.env" }],
  deactivatesAt: "2026-12-04T10:00:00.000Z",
};

/** One in-place update of a Coveo key whose last refresh recorded an exposure, as `pulumi preview --json` shows it. */
function preview(rotation: Record<string, unknown>): PreviewJson {
  const urn = `urn:pulumi:prod::shop::${API_KEY_TYPE}::search-page`;
  return {
    steps: [
      {
        op: "update",
        urn,
        oldState: {
          type: API_KEY_TYPE,
          outputs: { displayName: "search", privileges: [searchPrivilege], backend: "coveo", rotation: {}, rotatedAt: "2026-11-01T00:00:00Z", exposure },
        },
        newState: { type: API_KEY_TYPE, inputs: { displayName: "search page", privileges: [searchPrivilege], rotation } },
      },
    ],
  };
}

describe("the review of an exposed key", () => {
  test("with rotation.onExposure the row says the secret changes because it was exposed, and where", () => {
    const [change] = keyChanges(preview({ onExposure: true }));
    const described = "exposed (GITHUB, https://github.com/acme/web/blob/main/.env), deactivated on 2026-12-04";
    expect(change).toMatchObject({ operation: "update", secretChanges: true, exposure: described, secretReasons: [described], risks: [] });
    expect(markdownReport([change])).toContain(`| **new secret** (${described}) |`);
  });

  test("without it, an exposed secret that stays is a high risk that says what to do", () => {
    const [change] = keyChanges(preview({}));
    expect(change.secretChanges).toBe(false);
    expect(change.risks).toEqual([
      {
        severity: "high",
        reason: expect.stringMatching(/^exposed \(GITHUB, .*\), deactivated on 2026-12-04; the secret is not being replaced: set rotation.onExposure/),
      },
    ]);
    expect(markdownReport([change])).toContain("| unchanged | ⛔ high: exposed (GITHUB");
  });
});

describe("the review of the native provider's keys", () => {
  test("reads the detailed diff: the properties that replace the key are the secret's reasons", () => {
    const urn = "urn:pulumi:prod::shop::apikeys:index:ApiKey::search";
    const [change] = keyChanges({
      steps: [
        {
          op: "replace",
          urn,
          oldState: {
            type: "apikeys:index:ApiKey",
            outputs: { displayName: "search", privileges: [searchPrivilege], environment: "test", backend: "reference" },
          },
          newState: { type: "apikeys:index:ApiKey", inputs: { displayName: "search", privileges: [searchPrivilege], environment: "live" } },
          detailedDiff: { environment: { kind: "update-replace", inputDiff: true } },
        },
      ],
    });
    expect(change).toMatchObject({ name: "search", operation: "replace", secretReasons: ["environment"], environment: { before: "test", after: "live" } });
    expect(change.risks).toEqual([{ severity: "medium", reason: "test key becomes live" }]);
  });
});
