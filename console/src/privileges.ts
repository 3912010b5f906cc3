import type { ConsoleKey } from "./api";

type Privilege = ConsoleKey["privileges"][number];

/** "SEARCH_API/EXECUTE_QUERY/ENABLE" or "CONTENT/SOURCE/EDIT: products-eu, products-us", one per line. */
export function parsePrivileges(text: string): Privilege[] {
  return text
    .split("\n")
    .map((line) => line.trim())
    .filter(Boolean)
    .map((line, index) => {
      const [path, targets] = line.split(":");
      const parts = path.split("/").map((part) => part.trim());
      if (parts.length !== 3 || parts.some((part) => !/^[A-Z][A-Z0-9_]*$/.test(part))) {
        throw new Error(`line ${index + 1}: write OWNER/TARGET_DOMAIN/TYPE in UPPER_SNAKE_CASE, e.g. SEARCH_API/EXECUTE_QUERY/ENABLE`);
      }
      const targetIds = targets
        ?.split(",")
        .map((t) => t.trim())
        .filter(Boolean);
      return { owner: parts[0], targetDomain: parts[1], type: parts[2], ...(targetIds && targetIds.length > 0 ? { targetIds } : {}) };
    });
}

export function privilegeLabel(p: Privilege): string {
  return `${p.owner}/${p.targetDomain}/${p.type}${p.targetIds ? `: ${p.targetIds.join(", ")}` : ""}`;
}

export function privilegesSummary(privileges: Privilege[]): string {
  if (privileges.length === 0) return "none";
  const first = privilegeLabel(privileges[0]);
  return privileges.length === 1 ? first : `${first} +${privileges.length - 1} more`;
}

/** The stack that manages a key, from the labels the Pulumi provider writes on it. */
export function managingStack(key: Pick<ConsoleKey, "metadata">): { stack: string; resource?: string } | undefined {
  const m = key.metadata ?? {};
  if (m["managed-by"] !== "pulumi") return undefined;
  const stack = [m["pulumi:project"], m["pulumi:stack"]].filter(Boolean).join("/") || "unknown stack";
  return { stack, resource: m["pulumi:resource"] };
}
