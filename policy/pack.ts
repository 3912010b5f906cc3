import { PolicyPack, type ResourceValidationPolicy } from "@pulumi/policy";
import { KEY_RULES, type KeyDeclaration, type KeyRule } from "./rules";

import { isApiKeyType } from "../shared/resourceTypes";

function toPolicy<C extends object>(rule: KeyRule<C>): ResourceValidationPolicy {
  return {
    name: rule.name,
    description: rule.description,
    // Each rule is advisory or mandatory through the pack's config: {"<rule>": {"enforcementLevel": ...}}.
    enforcementLevel: rule.enforcementLevel ?? "mandatory",
    configSchema: { properties: rule.configSchema as never },
    validateResource: (args, reportViolation) => {
      if (!isApiKeyType(args.type)) return;
      const config = { ...rule.defaults, ...args.getConfig<Partial<C>>() } as C;
      const violation = rule.check(args.props as KeyDeclaration, config, new Date(), args.name);
      if (violation) reportViolation(`${args.name}: ${violation}`);
    },
  };
}

new PolicyPack("apikeys", { policies: KEY_RULES.map((rule) => toPolicy(rule as KeyRule<object>)) });
