import { messageOf } from "../../shared/caught";
import { ConsoleApiError, type ConsoleApi, type ConsoleToken } from "./api";
import { confirmDialog, openDialog, revealSecretDialog } from "./dialogs";
import { formatDate, formField, h, listen } from "./dom";

/**
 * The admin tokens page: who can call the admin API for this organization, since when, last seen
 * when. A token's secret appears once, in the reveal dialog right after it is issued; the list
 * shows only its hint. `after` refreshes the page with a status message; `signOut` runs when the
 * user revoked the very token this console is signed in with.
 */
export async function tokensView(api: ConsoleApi, main: HTMLElement, after: (message: string) => void, signOut: (message: string) => void): Promise<void> {
  main.append(
    h(
      "div",
      { class: "toolbar" },
      h("h1", {}, "Admin tokens"),
      h(
        "button",
        {
          type: "button",
          class: "primary",
          onclick: () =>
            createTokenDialog(api, async (issued) => {
              await revealSecretDialog(issued.name, issued.token);
              after(`Issued token "${issued.name}".`);
            }),
        },
        "Issue admin token",
      ),
    ),
    h(
      "p",
      {},
      "Admin tokens call the admin API for this organization: a stack's provider, CI, this console. Revoking one refuses it from the next request on.",
    ),
  );
  let tokens: ConsoleToken[];
  try {
    tokens = await api.listTokens();
  } catch (e) {
    main.append(h("p", { role: "alert", class: "error" }, messageOf(e)));
    return;
  }
  const head = ["Name", "Hint", "Scope", "Status", "Created", "Last used", "Expires", "Actions"];
  main.append(
    h(
      "table",
      { "aria-label": "Admin tokens" },
      h("thead", {}, h("tr", {}, ...head.map((title) => h("th", { scope: "col" }, title)))),
      h("tbody", {}, ...tokens.map((token) => tokenRow(api, token, after, signOut))),
    ),
  );
}

function tokenRow(api: ConsoleApi, token: ConsoleToken, after: (message: string) => void, signOut: (message: string) => void): HTMLElement {
  const own = token.id === api.tokenId;
  const revoke =
    token.status === "revoked"
      ? undefined
      : h(
          "button",
          {
            type: "button",
            class: "danger",
            "aria-label": `Revoke ${token.name}`,
            onclick: async () => {
              const sure = await confirmDialog({
                title: `Revoke "${token.name}"?`,
                message: own
                  ? "This is the token this console is signed in with. Revoking it signs you out, and everything else using it is refused from now on. This cannot be undone."
                  : "Everything using this token is refused from now on. This cannot be undone.",
                confirmLabel: "Revoke token",
                danger: true,
              });
              if (!sure) return;
              try {
                await api.revokeToken(token.id);
              } catch (e) {
                after(messageOf(e));
                return;
              }
              if (own) signOut(`Revoked "${token.name}", the token this console was signed in with.`);
              else after(`Revoked token "${token.name}".`);
            },
          },
          "Revoke",
        );
  return h(
    "tr",
    { "data-token-id": token.id },
    h(
      "th",
      { scope: "row" },
      h("span", { class: "name" }, token.name),
      own ? h("span", { class: "managed" }, "This console") : undefined,
      token.description ? h("small", {}, token.description) : undefined,
    ),
    h("td", {}, h("code", {}, token.hint)),
    h("td", {}, token.scope),
    h("td", {}, h("span", { class: `badge badge-${token.status}` }, token.status)),
    h("td", { title: `by ${token.createdBy}` }, formatDate(token.createdAt)),
    h("td", {}, formatDate(token.lastUsedAt)),
    h("td", {}, token.expiresAt ? formatDate(token.expiresAt) : "never"),
    h("td", { class: "row-actions" }, revoke),
  );
}

/** The "Issue admin token" dialog; `done` runs once it has closed, so the reveal never sits on top of it. */
function createTokenDialog(api: ConsoleApi, done: (issued: ConsoleToken & { token: string }) => void | Promise<void>): void {
  const error = h("p", { role: "alert", class: "error", id: "token-error" });
  const name = h("input", { id: "token-name", required: true, maxlength: "100", autocomplete: "off" });
  const description = h("textarea", { id: "token-description", maxlength: "500", rows: "2" });
  const scope = h(
    "select",
    { id: "token-scope", "aria-describedby": "token-scope-hint" },
    h("option", { value: "manage" }, "manage"),
    h("option", { value: "read" }, "read"),
  );
  const expiry = h("input", { id: "token-expiry", type: "date" });
  const form = h(
    "form",
    { method: "dialog", "aria-describedby": "token-error" },
    h("h2", { id: "token-title" }, "Issue an admin token"),
    formField("token-name", "Name", name),
    formField("token-description", "Description", description),
    formField("token-scope", "Scope", scope, "manage: create, change and revoke keys and tokens. read: look only (GET)."),
    formField("token-expiry", "Expires on (optional)", expiry),
    error,
    h(
      "div",
      { class: "actions" },
      h("button", { type: "button", onclick: () => dialog.close() }, "Cancel"),
      h("button", { type: "submit", class: "primary" }, "Issue token"),
    ),
  );
  const dialog = openDialog("token-title", form);
  name.focus();
  listen(form, "submit", async (event) => {
    event.preventDefault();
    error.textContent = "";
    try {
      const issued = await api.createToken({
        name: name.value.trim(),
        description: description.value.trim(),
        scope: scope.value === "read" ? "read" : "manage",
        // Left blank, no expiry is sent: the server gives the token its issuer's expiry, if any (an
        // explicit null from an expiring token is refused, since a token may not outlive its issuer).
        ...(expiry.value ? { expiresAt: new Date(`${expiry.value}T00:00:00Z`).toISOString() } : {}),
      });
      dialog.close();
      // Not awaited: the dialog is closed; the reveal and the refresh report their own failures.
      void done(issued);
    } catch (submitError) {
      error.textContent = submitError instanceof ConsoleApiError && submitError.field ? `${submitError.field}: ${submitError.message}` : messageOf(submitError);
    }
  });
}
