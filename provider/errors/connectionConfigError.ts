/** Connection settings are missing or malformed: says which setting and every place it can come from. */
export class ConnectionConfigError extends Error {
  /** The setting that is missing or wrong, e.g. `token` or `api`. */
  readonly setting: string;

  constructor(setting: string, message: string) {
    super(message);
    this.name = "ConnectionConfigError";
    this.setting = setting;
  }
}
