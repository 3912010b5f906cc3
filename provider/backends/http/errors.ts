import { ConnectionConfigError } from "../../errors";

/**
 * A key API description (the file `connection.api` names) that cannot be used: unreadable, not
 * JSON or YAML, or wrong in a field. A connection problem, so `check` (and `pulumi preview`) reports
 * it as `connection.api` before any key is created; the message names the file, the field and the fix.
 */
export class KeyApiDescriptionError extends ConnectionConfigError {
  readonly file: string;
  /** The field of the description that is wrong (`auth.kind`, `create.body.note`); "" for the whole file. */
  readonly field: string;
  readonly problem: string;

  constructor(file: string, field: string, problem: string) {
    super("api", `the key API description ${file} ${field ? `has a wrong ${field}: it ${problem}` : `cannot be used: ${problem}`}`);
    this.name = "KeyApiDescriptionError";
    this.file = file;
    this.field = field;
    this.problem = problem;
  }
}

/**
 * An answer of the described API lacks what a JSON pointer of the description points at (the
 * secret in a create's answer, say): the description does not fit the API. Names the pointer.
 */
export class DescribedAnswerError extends Error {
  readonly pointerName: string;
  readonly pointer: string;

  constructor(options: { file: string; operation: string; pointerName: string; pointer: string; keyLabel: string; aftermath: string }) {
    super(
      `${options.operation} API key ${options.keyLabel} failed: the answer has nothing at ${options.pointerName} "${options.pointer}" ` +
        `(the key API description ${options.file}); fix that pointer to where the API answers it. ${options.aftermath}`,
    );
    this.name = "DescribedAnswerError";
    this.pointerName = options.pointerName;
    this.pointer = options.pointer;
  }
}
