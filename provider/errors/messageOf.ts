// Kept so provider code imports its error helpers from one place; they live in shared/ for every package.
export { messageOf, errorCodeOf } from "../../shared/caught";
