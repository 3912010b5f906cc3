import "./style.css";
import { messageOf } from "../../shared/caught";
import { ConsoleApi } from "./api";
import { auditView } from "./audit";
import { h, listen } from "./dom";
import { keysView } from "./keys";
import { Notice } from "./notice";
import { tokensView } from "./tokens";

/** Everything the page knows. The token lives only inside `api`, in memory. */
interface ConsoleState {
  api?: ConsoleApi;
  environment: "live" | "test";
  view: "keys" | "tokens" | "audit";
  message?: string;
  /** The keys list's filter: only keys unused for at least this many days. */
  unusedDays?: number;
}

/** index.html's mount point: the console cannot draw anything without it. */
function pageRoot(): HTMLElement {
  const root = document.getElementById("app");
  if (!root) throw new Error('the console page has no element with id "app" to draw in');
  return root;
}

const state: ConsoleState = { environment: "live", view: "keys" };
const app = pageRoot();

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
  listen(form, "submit", async (event) => {
    event.preventDefault();
    try {
      state.api = await ConsoleApi.signIn(token.value.trim());
      token.value = "";
      render();
    } catch (e) {
      error.textContent = messageOf(e);
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
  if (state.view === "keys") void keysView(api, main, state, after);
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

render();
