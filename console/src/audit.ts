import { messageOf } from "../../shared/caught";
import type { ConsoleApi } from "./api";
import { formatDate, h } from "./dom";

/** The audit log page: every change to the organization's keys and tokens, newest first, without secrets. */
export async function auditView(api: ConsoleApi, main: HTMLElement): Promise<void> {
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
    main.append(h("p", { role: "alert", class: "error" }, messageOf(e)));
  }
}
