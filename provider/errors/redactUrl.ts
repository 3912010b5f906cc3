/**
 * Credentials a URL can carry, hidden wherever one is written into a message: the userinfo of
 * `https://user:password@host/` (everything between `://` and the last `@` of the address, so a
 * password holding `/` or `@`, which makes the URL invalid, is hidden too) and the value of a query
 * parameter whose name looks like a credential (`?token=`, `?api_key=`, `&X-Amz-Signature=`...).
 * An endpoint can be a secret in stack config; the messages that name it are not.
 */
const USERINFO = /([a-z][a-z0-9+.-]*:\/\/)[^\s?#"'<>`]*@/gi;
const CREDENTIAL_PARAMETER = /([?&][^=&#\s"'<>`]*(?:token|key|secret|pass|pwd|auth|sig|session|credential)[^=&#\s"'<>`]*=)[^&#\s"'<>`]*/gi;

/** `text` with every URL's userinfo and credential-looking query values replaced by `***`. */
export function redactUrl(text: string): string {
  return text.replace(USERINFO, "$1***@").replace(CREDENTIAL_PARAMETER, "$1***");
}
