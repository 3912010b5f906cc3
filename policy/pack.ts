import { z } from "zod";
import { PolicyPack, type ResourceValidationPolicy, type StackValidationPolicy } from "@pulumi/policy";
import { KEY_RULES, type KeyDeclaration, type KeyRule } from "./rules";
import { STATE_RULES, type StateRule } from "./stateRules";

import { isApiKeyType } from "../shared/resourceTypes";

function toPolicy<C extends object>(rule: KeyRule<C>): ResourceValidationPolicy {
  return {
    name: rule.name,
    description: rule.description,
    // Each rule is advisory or mandatory through the pack's config: {"<rule>": {"enforcementLevel": ...}}.
    enforcementLevel: rule.enforcementLevel ?? "mandatory",
    configSchema: { properties: rule.configSchema },
    validateResource: (args, reportViolation) => {
      if (!isApiKeyType(args.type)) return;
      const config = { ...rule.defaults, ...args.getConfig<Partial<C>>() };
      // Cast kept: the props are the provider's checked inputs, behind the SDK's proxy that throws on the first
      // unknown value read; parsing them would read every field and stop each rule at any unknown in a preview.
      const violation = rule.check(args.props as KeyDeclaration, config, new Date(), args.name);
      if (violation) reportViolation(`${args.name}: ${violation}`);
    },
  };
}

/**
 * The outputs a key has in state, as plain data; undefined while the preview cannot know them (a key
 * being created or changed): the SDK's proxy throws its UnknownValueError on the first unknown value,
 * and one new key must not stop the rule for every other key of the stack.
 */
function knownOutputs(props: unknown): Record<string, unknown> | undefined {
  try {
    return z.record(z.string(), z.unknown()).parse(JSON.parse(JSON.stringify(props)));
  } catch (error) {
    if (error instanceof Error && error.constructor.name === "UnknownValueError") return undefined;
    throw error;
  }
}

function toStackPolicy<C extends object>(rule: StateRule<C>): StackValidationPolicy {
  return {
    name: rule.name,
    description: rule.description,
    enforcementLevel: rule.enforcementLevel,
    configSchema: { properties: rule.configSchema },
    validateStack: (args, reportViolation) => {
      const config = { ...rule.defaults, ...args.getConfig<Partial<C>>() };
      for (const resource of args.resources) {
        if (!isApiKeyType(resource.type)) continue;
        const outputs = knownOutputs(resource.props);
        if (!outputs) continue;
        const violation = rule.check({ urn: resource.urn, type: resource.type, outputs }, config, new Date());
        if (violation) reportViolation(`${resource.name}: ${violation}`, resource.urn);
      }
    },
  };
}

// Each rule as one with an `object` config: its check only ever gets its own defaults and the pack's config over them.
new PolicyPack("apikeys", {
  policies: [...KEY_RULES.map((rule: KeyRule<object>) => toPolicy(rule)), ...STATE_RULES.map((rule: StateRule<object>) => toStackPolicy(rule))],
});
