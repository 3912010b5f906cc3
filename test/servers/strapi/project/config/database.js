// One SQLite file per test project, created on the first start.
module.exports = ({ env }) => ({
  connection: {
    client: "sqlite",
    connection: { filename: env("DATABASE_FILENAME") },
    useNullAsDefault: true,
  },
});
