/**
 * `--fail-on` reads the same way for `review` and `report`: a comma-separated list, the option given
 * once or repeated (`--fail-on high,stale-secret`, `--fail-on high --fail-on stale-secret`); one
 * value, the review's old form, is a list of one.
 */
export function failOnItems(values: readonly string[]): string[] {
  return values
    .flatMap((value) => value.split(","))
    .map((item) => item.trim())
    .filter(Boolean);
}

/** The refusal of an unknown item, naming what the command takes. */
export function failOnRefusal(item: string, takes: string): string {
  return `--fail-on takes ${takes}, comma-separated; got "${item}"`;
}
