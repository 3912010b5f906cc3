import { z } from "zod";

/**
 * The parts of `pulumi preview --json` the review reads. Loose on purpose: the engine adds fields
 * between versions, and a review must not break on them.
 */
function previewSchema() {
  const state = z.looseObject({
    type: z.string().optional(),
    id: z.string().optional(),
    inputs: z.record(z.string(), z.unknown()).optional(),
    outputs: z.record(z.string(), z.unknown()).optional(),
  });
  return z.looseObject({
    steps: z.array(
      z.looseObject({
        op: z.string(),
        urn: z.string(),
        oldState: state.optional(),
        newState: state.optional(),
        replaceReasons: z.array(z.string()).nullable().optional(),
        /** From a native provider: each changed property with its kind (update, update-replace, add...). */
        detailedDiff: z
          .record(z.string(), z.looseObject({ kind: z.string() }))
          .nullable()
          .optional(),
      }),
    ),
  });
}

export type PreviewJson = z.infer<ReturnType<typeof previewSchema>>;
export type PreviewStep = PreviewJson["steps"][number];

/** A preview JSON file that is not one: the message says what was expected. */
export class PreviewParseError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "PreviewParseError";
  }
}

export function parsePreviewJson(text: string): PreviewJson {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new PreviewParseError("the input is not JSON: pass the output of `pulumi preview --json`");
  }
  const result = previewSchema().safeParse(value);
  if (!result.success)
    throw new PreviewParseError(
      `the input is not \`pulumi preview --json\` output: ${result.error.issues[0].path.join(".") || "root"}: ${result.error.issues[0].message}`,
    );
  return result.data;
}
