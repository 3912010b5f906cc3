import "./style.css";
import { ConsoleApi, type ConsoleKey } from "./api";
import { confirmDialog, revealSecretDialog } from "./dialogs";
import { formatDate, h } from "./dom";
import { createKeyDialog, rollDialog } from "./keyForm";
import { agoText, daysSince, daysText, daysUnused, secretsIssuedAt, unusedFor } from "./keyUsage";
import { Notice } from "./notice";
import { managingStack, privilegeLabel, privilegesSummary } from "./privileges";
import { tokensView } from "./tokens";
import { RiskCatalogue } from "../../shared/privilegeRisks/assess";

/** The review's and the policy pack's privilege risk catalogue (defaults), so the three agree. */
const riskCatalogue = new RiskCatalogue();

/** Everything the page knows. The token lives only inside `api`, in memory. */
interface ConsoleState {
  api?: ConsoleApi;
  environment: "live" | "test";
  view: "keys" | "tokens" | "audit";
  message?: string;
  /** The keys list's filter: only keys unused for at least this many days. */
  unusedDays?: number;
}

const state: ConsoleState = { environment: "live", view: "keys" };
const app = document.getElementById("app")!;

// The page's frame, made once: the header and the view are redrawn, the notice between them never
// is (see Notice), so it keeps the page's layout and is announced.
const notice = new Notice();
const top = h("div", {});
const view = h("div", {});
const page = h("div", { class: "page" }, notice.element, view);
app.append(top, page);

function render(): void {
  notice.show(state.message);
  state.message = undefined;
  page.classList.toggle("signed-out", !state.api);
  top.replaceChildren(...(state.api ? [header(state.api)] : []));
  view.replaceChildren(state.api ? signedIn(state.api) : signInForm());
}

function signInForm(): HTMLElement {
  const token = h("input", {
    id: "org-token",
    type: "password",
    required: true,
    autocomplete: "off",
    spellcheck: "false",
    "aria-describedby": "sign-in-error",
  });
  const error = h("p", { role: "alert", class: "error", id: "sign-in-error" });
  const form = h(
    "form",
    { class: "sign-in", "aria-labelledby": "sign-in-title" },
    h("h1", { id: "sign-in-title" }, "API keys"),
    h("p", {}, "Sign in with an organization token. It stays in this tab's memory and is gone when you sign out or close the tab."),
    h("div", { class: "field" }, h("label", { for: "org-token" }, "Organization token"), token),
    error,
    h("button", { type: "submit", class: "primary" }, "Sign in"),
  );
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    try {
      state.api = await ConsoleApi.signIn(token.value.trim());
      token.value = "";
      render();
    } catch (e) {
      error.textContent = (e as Error).message;
    }
  });
  queueMicrotask(() => token.focus());
  return h("main", {}, form);
}

function header(api: ConsoleApi): HTMLElement {
  const envButton = (env: "live" | "test") =>
    h(
      "button",
      {
        type: "button",
        "aria-pressed": String(state.environment === env),
        class: `env env-${env}`,
        onclick: () => ((state.environment = env), (state.view = "keys"), render()),
      },
      env === "live" ? "Live" : "Test",
    );
  return h(
    "header",
    {},
    h("span", { class: "brand" }, "API keys"),
    h("div", { role: "group", "aria-label": "Environment", class: "env-switch" }, envButton("live"), envButton("test")),
    h(
      "nav",
      { "aria-label": "Views" },
      h("button", { type: "button", "aria-current": state.view === "keys" ? "page" : undefined, onclick: () => ((state.view = "keys"), render()) }, "Keys"),
      h(
        "button",
        { type: "button", "aria-current": state.view === "tokens" ? "page" : undefined, onclick: () => ((state.view = "tokens"), render()) },
        "Admin tokens",
      ),
      h(
        "button",
        { type: "button", "aria-current": state.view === "audit" ? "page" : undefined, onclick: () => ((state.view = "audit"), render()) },
        "Audit log",
      ),
    ),
    h("span", { class: "org" }, `Organization ${api.organizationId}`),
    h("button", { type: "button", onclick: () => signOut() }, "Sign out"),
  );
}

function signedIn(api: ConsoleApi): HTMLElement {
  const main = h("main", { id: "main" });
  if (state.view === "keys") void keysView(api, main);
  else if (state.view === "tokens") void tokensView(api, main, after, signOut);
  else void auditView(api, main);
  return main;
}

/** Forgets the token and returns to the sign-in form, with a message. */
function signOut(message?: string): void {
  state.api = undefined;
  state.view = "keys";
  state.message = message;
  render();
}

/** Refreshes the page with a message for the status line (read by screen readers). */
function after(message: string): void {
  state.message = message;
  render();
}

async function keysView(api: ConsoleApi, main: HTMLElement): Promise<void> {
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
    main.append(h("p", { role: "alert", class: "error" }, (e as Error).message));
    return;
  }
  if (keys.length === 0) {
    main.append(h("p", { class: "empty" }, `No ${state.environment} keys yet.`));
    return;
  }
  const now = new Date();
  const head = ["Name", "Hint", "Environment", "Privileges", "Status", "Created", "Secret age", "Last used", "Actions"];
  const rows = new Map(keys.map((key) => [key.id, keyRow(api, key, now)]));
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
    unusedFilter(applyFilter),
    count,
    h(
      "table",
      { "aria-label": `${state.environment} API keys` },
      h("thead", {}, h("tr", {}, ...head.map((title) => h("th", { scope: "col" }, title)))),
      h("tbody", {}, ...rows.values()),
    ),
  );
  applyFilter();
  // The secret's age comes from the audit log (its last roll, or creation), filled in as it arrives.
  const issued = await secretsIssuedAt(api, keys).catch(() => new Map<string, string>());
  for (const [id, row] of rows) {
    const cell = row.querySelector<HTMLElement>("td.secret-age");
    const at = issued.get(id);
    if (cell && at) cell.replaceChildren(h("span", {}, daysText(daysSince(at, now))), h("small", {}, `since ${formatDate(at)}`));
  }
}

/** "Unused for at least [N] days": narrows the list as it is typed; empty shows every key. */
function unusedFilter(apply: () => void): HTMLElement {
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

function keyRow(api: ConsoleApi, key: ConsoleKey, now: Date): HTMLElement {
  const managed = managingStack(key);
  /** Keys a stack manages: say that the next `pulumi up` undoes a hand edit, before making it. */
  const guarded = (action: string, run: () => Promise<void>) => async () => {
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
      onclick: guarded("Roll", async () =>
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
    h("td", { class: "secret-age" }, "…"),
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

async function auditView(api: ConsoleApi, main: HTMLElement): Promise<void> {
  main.append(h("h1", {}, "Audit log"));
  try {
    const entries = await api.audit();
    main.append(
      h(
        "table",
        { "aria-label": "Audit log" },
        h("thead", {}, h("tr", {}, ...["When", "Action", "Key", "Actor", "Details"].map((t) => h("th", { scope: "col" }, t)))),
        h(
          "tbody",
          {},
          ...entries.map((e) =>
            h(
              "tr",
              {},
              h("td", {}, formatDate(e.at)),
              h("td", {}, e.action),
              h("td", {}, e.keyId ?? ""),
              h("td", {}, e.actor),
              h("td", {}, h("code", {}, JSON.stringify(e.details))),
            ),
          ),
        ),
      ),
    );
  } catch (e) {
    main.append(h("p", { role: "alert", class: "error" }, (e as Error).message));
  }
}

render();
