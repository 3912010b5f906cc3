import { messageOf } from "../../shared/caught";
import { ConsoleApiError } from "./api";
import { openDialog } from "./dialogs";
import { formField, h, listen } from "./dom";
import { parsePrivileges } from "./privileges";

/**
 * The "Create API key" dialog. `submit` makes the key (its errors show in the dialog, next to the
 * form); `done` runs once the dialog has closed, so the reveal dialog never sits on top of this one.
 */
export function createKeyDialog<T>(
  environment: "live" | "test",
  submit: (body: Record<string, unknown>) => Promise<T>,
  done: (result: T) => void | Promise<void>,
): void {
  const error = h("p", { role: "alert", class: "error", id: "create-error" });
  const name = h("input", { id: "key-name", name: "displayName", required: true, maxlength: "125", autocomplete: "off" });
  const description = h("textarea", { id: "key-description", name: "description", maxlength: "1000", rows: "2" });
  const privileges = h("textarea", { id: "key-privileges", name: "privileges", rows: "3", "aria-describedby": "key-privileges-hint", spellcheck: "false" });
  const expiry = h("input", { id: "key-expiry", name: "expiresAt", type: "date" });
  const form = h(
    "form",
    { method: "dialog", "aria-describedby": "create-error" },
    h("h2", { id: "create-title" }, `Create a ${environment} API key`),
    formField("key-name", "Name", name),
    formField("key-description", "Description", description),
    formField(
      "key-privileges",
      "Privileges",
      privileges,
      "One per line: OWNER/TARGET_DOMAIN/TYPE, optionally followed by : target ids. Example: SEARCH_API/EXECUTE_QUERY/ENABLE",
    ),
    formField("key-expiry", "Expires on (optional)", expiry),
    error,
    h(
      "div",
      { class: "actions" },
      h("button", { type: "button", onclick: () => dialog.close() }, "Cancel"),
      h("button", { type: "submit", class: "primary" }, "Create key"),
    ),
  );
  const dialog = openDialog("create-title", form);
  name.focus();
  listen(form, "submit", async (event) => {
    event.preventDefault();
    error.textContent = "";
    let body: Record<string, unknown>;
    try {
      body = {
        displayName: name.value.trim(),
        description: description.value.trim(),
        environment,
        privileges: parsePrivileges(privileges.value),
        ...(expiry.value ? { expiresAt: new Date(`${expiry.value}T00:00:00Z`).toISOString() } : {}),
      };
    } catch (parseError) {
      error.textContent = `Privileges: ${messageOf(parseError)}`;
      privileges.focus();
      return;
    }
    try {
      const result = await submit(body);
      dialog.close();
      // Not awaited: the dialog is closed; what follows (a reveal, a refresh) reports its own failures.
      void done(result);
    } catch (submitError) {
      error.textContent = submitError instanceof ConsoleApiError && submitError.field ? `${submitError.field}: ${submitError.message}` : messageOf(submitError);
    }
  });
}

/** Asks for the grace period of a roll, in hours; `done` runs after the dialog closed. */
export function rollDialog<T>(keyName: string, submit: (gracePeriodSeconds: number) => Promise<T>, done: (result: T) => void | Promise<void>): void {
  const hours = h("input", { id: "grace-hours", type: "number", min: "0", max: "720", step: "1", value: "24" });
  const error = h("p", { role: "alert", class: "error" });
  const form = h(
    "form",
    { method: "dialog" },
    h("h2", { id: "roll-title" }, `Roll "${keyName}"`),
    h("p", {}, "A new secret is issued. The current one keeps working for the grace period, so its users can switch."),
    h("div", { class: "field" }, h("label", { for: "grace-hours" }, "Grace period (hours)"), hours),
    error,
    h(
      "div",
      { class: "actions" },
      h("button", { type: "button", onclick: () => dialog.close() }, "Cancel"),
      h("button", { type: "submit", class: "primary" }, "Roll key"),
    ),
  );
  const dialog = openDialog("roll-title", form);
  listen(form, "submit", async (event) => {
    event.preventDefault();
    try {
      const result = await submit(Math.round(Number(hours.value) * 3600));
      dialog.close();
      // Not awaited: the dialog is closed; what follows (a reveal, a refresh) reports its own failures.
      void done(result);
    } catch (e) {
      error.textContent = messageOf(e);
    }
  });
}
