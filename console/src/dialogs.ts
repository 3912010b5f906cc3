import { h } from "./dom";

/** Opens a modal <dialog> (focus trapped, Escape closes) and removes it from the page when it closes. */
export function openDialog(labelledBy: string, ...content: Node[]): HTMLDialogElement {
  const dialog = h("dialog", { "aria-labelledby": labelledBy }, ...content);
  dialog.addEventListener("close", () => dialog.remove());
  document.body.append(dialog);
  dialog.showModal();
  return dialog;
}

/** Asks before doing something; resolves true only on the confirm button. */
export function confirmDialog(options: { title: string; message: string; confirmLabel: string; danger?: boolean }): Promise<boolean> {
  return new Promise((resolve) => {
    let confirmed = false;
    const dialog = openDialog(
      "confirm-title",
      h("h2", { id: "confirm-title" }, options.title),
      h("p", {}, options.message),
      h(
        "div",
        { class: "actions" },
        h("button", { type: "button", onclick: () => dialog.close() }, "Cancel"),
        h(
          "button",
          { type: "button", class: options.danger ? "danger" : "primary", onclick: () => ((confirmed = true), dialog.close()) },
          options.confirmLabel,
        ),
      ),
    );
    dialog.addEventListener("close", () => resolve(confirmed));
  });
}

/**
 * Shows a new secret once, with a copy button. When the dialog closes the secret is cleared from the
 * input and the dialog leaves the DOM: nothing on the page holds it any more.
 */
export function revealSecretDialog(keyName: string, secret: string): Promise<void> {
  return new Promise((resolve) => {
    const input = h("input", {
      id: "revealed-secret",
      type: "text",
      readonly: true,
      "aria-describedby": "reveal-warning",
      spellcheck: "false",
      autocomplete: "off",
    });
    input.value = secret;
    const status = h("p", { role: "status", class: "copy-status" });
    const dialog = openDialog(
      "reveal-title",
      h("h2", { id: "reveal-title" }, `Secret for "${keyName}"`),
      h("p", { id: "reveal-warning", class: "warning" }, "Copy this secret now. It will not be shown again: the server keeps only its hash."),
      h("label", { for: "revealed-secret" }, "Secret"),
      input,
      status,
      h(
        "div",
        { class: "actions" },
        h(
          "button",
          {
            type: "button",
            onclick: async () => {
              try {
                await navigator.clipboard.writeText(input.value);
                status.textContent = "Copied to the clipboard.";
              } catch {
                input.select();
                status.textContent = "Select the text and copy it (the browser refused clipboard access).";
              }
            },
          },
          "Copy",
        ),
        h("button", { type: "button", class: "primary", onclick: () => dialog.close() }, "I have stored it"),
      ),
    );
    input.select();
    dialog.addEventListener("close", () => {
      input.value = "";
      resolve();
    });
  });
}
