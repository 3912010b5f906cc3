export { AdoptedKeyNotFoundError } from "./adoptedKeyNotFoundError";
export { CannotRotateError } from "./cannotRotateError";
export { ConnectionConfigError } from "./connectionConfigError";
export { KeyApiError, type KeyOperation } from "./keyApiError";
export { KeyGoneError } from "./keyGoneError";
export { PartialCreateError } from "./partialCreateError";
