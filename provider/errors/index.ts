export { AdoptedKeyNotFoundError } from "./adoptedKeyNotFoundError";
export { CannotRotateError } from "./cannotRotateError";
export { ConnectionConfigError } from "./connectionConfigError";
export { KeyApiError, type KeyApiErrorOptions, type KeyOperation } from "./keyApiError";
export { KeyGoneError } from "./keyGoneError";
// messageOf lives in shared/caught.ts; re-exported here for provider/native/main.ts, its last importer from this folder.
export { messageOf } from "../../shared/caught";
export { PartialCreateError } from "./partialCreateError";
export { redactUrl } from "./redactUrl";
export { SAVED_SETTINGS_ADVICE, withSavedSettingsAdvice } from "./savedSettings";
