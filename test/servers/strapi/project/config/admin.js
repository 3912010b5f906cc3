// The admin API (and its API-token routes) without the admin panel: serving the panel would need a
// build of its React app first (minutes, and a bundler), which the tests never look at.
module.exports = ({ env }) => ({
  serveAdminPanel: false,
  auth: { secret: env("ADMIN_JWT_SECRET") },
  apiToken: { salt: env("API_TOKEN_SALT") },
  transfer: { token: { salt: env("TRANSFER_TOKEN_SALT") } },
  secrets: { encryptionKey: env("ENCRYPTION_KEY") },
});
