/**
 * An event handler, possibly async. The DOM never awaits a handler, so an async one must show its own
 * failure on the page (each does, in its dialog's or page's alert); `listen` makes that choice visible.
 */
export type Handler<E extends Event = Event> = (event: E) => void | Promise<void>;

/** `addEventListener` for a handler that may be async: its promise is deliberately not awaited. */
export function listen<K extends keyof HTMLElementEventMap>(target: HTMLElement, type: K, handler: Handler<HTMLElementEventMap[K]>): void {
  target.addEventListener(type, (event) => void handler(event));
}

/** Builds an element; text goes in as text nodes only, so nothing the API returns is parsed as HTML. */
export function h<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  attributes: Record<string, string | boolean | undefined | Handler> = {},
  ...children: Array<Node | string | undefined | false>
): HTMLElementTagNameMap[K] {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (value === undefined || value === false) continue;
    if (typeof value === "function") element.addEventListener(name.replace(/^on/, "").toLowerCase(), (event) => void value(event));
    else if (value === true) element.setAttribute(name, "");
    else element.setAttribute(name, value);
  }
  for (const child of children) if (child !== undefined && child !== false) element.append(child);
  return element;
}

export function formatDate(iso: string | null | undefined): string {
  if (!iso) return "never";
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? iso : date.toISOString().replace("T", " ").slice(0, 16) + " UTC";
}

/** A labelled form control, with an optional hint below it (`<id>-hint`, for aria-describedby). */
export function formField(id: string, label: string, control: HTMLElement, hint?: string): HTMLElement {
  return h("div", { class: "field" }, h("label", { for: id }, label), control, hint ? h("small", { id: `${id}-hint` }, hint) : undefined);
}
