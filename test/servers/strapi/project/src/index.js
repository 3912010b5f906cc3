// Nothing to register or bootstrap: the tests use Strapi's own admin and content APIs only.
module.exports = {
  register() {},
  bootstrap() {},
};
