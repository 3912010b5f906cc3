import { h } from "./dom";

/**
 * The page's one notice ("Issued token ...", "Revoked ..."): a live region made once and never
 * replaced, because a live region inserted together with its text is often not announced by screen
 * readers. It sits in the page's layout, between the header and the view, and takes no room when empty.
 */
export class Notice {
  readonly element = h("div", { id: "notice", class: "notice", role: "status", "aria-live": "polite", "aria-atomic": "true" });
  private pending?: ReturnType<typeof setTimeout>;

  show(message: string | undefined): void {
    clearTimeout(this.pending);
    this.element.textContent = "";
    if (!message) return;
    // Emptied first and filled a moment later: the same message twice in a row is announced twice.
    this.pending = setTimeout(() => {
      this.element.textContent = message;
    }, 50);
  }
}
