// Loopback only, on the port the test chose; the keys that sign the session cookies come from the environment.
module.exports = ({ env }) => ({
  host: env("HOST", "127.0.0.1"),
  port: env.int("PORT", 1337),
  app: { keys: env.array("APP_KEYS") },
});
