import { messageOf } from "../../shared/caught";
import type { ConsoleApi, ConsoleKey } from "./api";
import { confirmDialog, revealSecretDialog } from "./dialogs";
import { formatDate, h } from "./dom";
import { createKeyDialog, rollDialog } from "./keyForm";
import { agoText, daysSince, daysText, daysUnused, unusedFor } from "./keyUsage";
import { managingStack, privilegeLabel, privilegesSummary } from "./privileges";
import { RiskCatalogue } from "../../shared/privilegeRisks/assess";

/** The review's and the policy pack's privilege risk catalogue (defaults), so the three agree. */
const riskCatalogue = new RiskCatalogue();

/** What the keys page reads from the console's state; the "unused for" filter writes back to it. */
export interface KeysViewState {
  readonly environment: "live" | "test";
  /** The keys list's filter: only keys unused for at least this many days. */
  unusedDays?: number;
}

/**
 * The API keys page: one environment's keys with their privileges, risk, last use and secret age,
 * created, rolled, enabled, disabled and revoked from here (a stack-managed key asks first). `after`
 * refreshes the page with a status message.
 */
export async function keysView(api: ConsoleApi, main: HTMLElement, state: KeysViewState, after: (message: string) => void): Promise<void> {
  main.append(
    h(
      "div",
      { class: "toolbar" },
      h("h1", {}, `${state.environment === "live" ? "Live" : "Test"} keys`),
      h(
        "button",
        {
          type: "button",
          class: "primary",
          onclick: () =>
            createKeyDialog(
              state.environment,
              (body) => api.create(body),
              async (created) => {
                await revealSecretDialog(created.displayName, created.secret);
                after(`Created "${created.displayName}".`);
              },
            ),
        },
        "Create API key",
      ),
    ),
  );
  let keys: ConsoleKey[];
  try {
    keys = (await api.listKeys(state.environment)).filter((k) => k.status !== "revoked");
  } catch (e) {
    main.append(h("p", { role: "alert", class: "error" }, messageOf(e)));
    return;
  }
  if (keys.length === 0) {
    main.append(h("p", { class: "empty" }, `No ${state.environment} keys yet.`));
    return;
  }
  const now = new Date();
  const head = ["Name", "Hint", "Environment", "Privileges", "Status", "Created", "Secret age", "Last used", "Actions"];
  const rows = new Map(keys.map((key) => [key.id, keyRow(api, key, now, after)]));
  const count = h("p", { id: "unused-count", class: "filter-count", "aria-live": "polite" });
  const applyFilter = () => {
    const shown = new Set(unusedFor(keys, state.unusedDays, now).map((k) => k.id));
    for (const [id, row] of rows) row.hidden = !shown.has(id);
    count.textContent =
      state.unusedDays === undefined
        ? ""
        : `${shown.size} of ${keys.length} keys unused for ${state.unusedDays} day${state.unusedDays === 1 ? "" : "s"} or more.`;
  };
  main.append(
    unusedFilter(state, applyFilter),
    count,
    h(
      "table",
      { "aria-label": `${state.environment} API keys` },
      h("thead", {}, h("tr", {}, ...head.map((title) => h("th", { scope: "col" }, title)))),
      h("tbody", {}, ...rows.values()),
    ),
  );
  applyFilter();
}

/** "Unused for at least [N] days": narrows the list as it is typed; empty shows every key. */
function unusedFilter(state: KeysViewState, apply: () => void): HTMLElement {
  const input = h("input", {
    id: "unused-days",
    type: "number",
    min: "1",
    step: "1",
    inputmode: "numeric",
    value: state.unusedDays === undefined ? "" : String(state.unusedDays),
    "aria-describedby": "unused-days-hint",
  });
  input.addEventListener("input", () => {
    const days = Number.parseInt(input.value, 10);
    state.unusedDays = Number.isFinite(days) && days > 0 ? days : undefined;
    apply();
  });
  return h(
    "div",
    { class: "filter" },
    h("label", { for: "unused-days" }, "Unused for at least"),
    input,
    h("span", {}, "days"),
    h("small", { id: "unused-days-hint" }, "Not used since, or never used since creation. Leave empty to show every key."),
  );
}

function keyRow(api: ConsoleApi, key: ConsoleKey, now: Date, after: (message: string) => void): HTMLElement {
  const managed = managingStack(key);
  /** Keys a stack manages: say that the next `pulumi up` undoes a hand edit, before making it. */
  const guarded = (action: string, run: () => void | Promise<void>) => async () => {
    if (managed) {
      const go = await confirmDialog({
        title: "This key is managed by a Pulumi stack",
        message: `"${key.displayName}" is managed by stack ${managed.stack}${managed.resource ? ` (resource ${managed.resource})` : ""}. The next \`pulumi up\` will undo a change made here. ${action} anyway?`,
        confirmLabel: `${action} anyway`,
      });
      if (!go) return;
    }
    await run();
  };
  const toggle = h(
    "button",
    {
      type: "button",
      onclick: guarded(key.enabled ? "Disable" : "Enable", async () => {
        await api.setEnabled(key.id, !key.enabled);
        after(`${key.enabled ? "Disabled" : "Enabled"} "${key.displayName}".`);
      }),
    },
    key.enabled ? "Disable" : "Enable",
  );
  const roll = h(
    "button",
    {
      type: "button",
      // The guarded action only opens the dialog: the roll itself runs when the dialog is submitted.
      onclick: guarded("Roll", () =>
        rollDialog(
          key.displayName,
          (grace) => api.roll(key.id, grace),
          async (rolled) => {
            await revealSecretDialog(rolled.displayName, rolled.secret);
            after(`Rolled "${key.displayName}".`);
          },
        ),
      ),
    },
    "Roll",
  );
  const revoke = h(
    "button",
    {
      type: "button",
      class: "danger",
      onclick: guarded("Revoke", async () => {
        const sure = await confirmDialog({
          title: `Revoke "${key.displayName}"?`,
          message: "Every request made with this key will be refused from now on. This cannot be undone.",
          confirmLabel: "Revoke key",
          danger: true,
        });
        if (!sure) return;
        await api.revoke(key.id);
        after(`Revoked "${key.displayName}".`);
      }),
    },
    "Revoke",
  );
  for (const button of [toggle, roll, revoke]) button.setAttribute("aria-label", `${button.textContent} ${key.displayName}`);
  return h(
    "tr",
    { "data-key-id": key.id },
    h(
      "th",
      { scope: "row" },
      h("span", { class: "name" }, key.displayName),
      managed
        ? h("span", { class: "managed", title: managed.resource ? `resource ${managed.resource}` : undefined }, `Managed by stack ${managed.stack}`)
        : undefined,
    ),
    h("td", {}, h("code", {}, key.hint)),
    h("td", {}, key.environment),
    h("td", { title: key.privileges.map(privilegeLabel).join("\n") }, privilegesSummary(key.privileges), riskBadge(key)),
    h("td", {}, h("span", { class: `badge badge-${key.status}` }, key.status)),
    h("td", {}, formatDate(key.createdAt)),
    h("td", { class: "secret-age" }, h("span", {}, daysText(daysSince(key.secretIssuedAt, now))), h("small", {}, `since ${formatDate(key.secretIssuedAt)}`)),
    h(
      "td",
      { class: "last-used" },
      key.lastUsedAt ? formatDate(key.lastUsedAt) : "never",
      h("small", {}, key.lastUsedAt ? agoText(daysUnused(key, now)) : `created ${agoText(daysUnused(key, now))}`),
    ),
    h("td", { class: "row-actions" }, toggle, roll, revoke),
  );
}

/** "high risk" next to a key holding a privilege the catalogue rates high, with the reasons on hover. */
function riskBadge(key: ConsoleKey): HTMLElement | undefined {
  const high = riskCatalogue.assessAll(key.displayName, key.privileges).filter((r) => r.severity === "high");
  if (high.length === 0) return undefined;
  return h("span", { class: "badge badge-risk", title: high.map((r) => `${r.privilege}: ${r.reason}`).join("\n") }, "high risk");
}
