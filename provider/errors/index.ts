export { AdoptedKeyNotFoundError } from "./adoptedKeyNotFoundError";
export { ConnectionConfigError } from "./connectionConfigError";
export { KeyApiError, type KeyOperation } from "./keyApiError";
export { KeyGoneError } from "./keyGoneError";
export { PartialCreateError } from "./partialCreateError";
