export { AdoptedKeyNotFoundError } from "./adoptedKeyNotFoundError";
export { CannotRotateError } from "./cannotRotateError";
export { ConnectionConfigError } from "./connectionConfigError";
export { KeyApiError, type KeyApiErrorOptions, type KeyOperation } from "./keyApiError";
export { KeyGoneError } from "./keyGoneError";
export { errorCodeOf, messageOf } from "./messageOf";
export { PartialCreateError } from "./partialCreateError";
export { redactUrl } from "./redactUrl";
export { SAVED_SETTINGS_ADVICE, withSavedSettingsAdvice } from "./savedSettings";
