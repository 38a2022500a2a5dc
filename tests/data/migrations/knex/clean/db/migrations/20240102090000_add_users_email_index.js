// CREATE INDEX CONCURRENTLY cannot run inside a transaction.
exports.config = { transaction: false };

exports.up = async function (knex) {
  // users are looked up by email on every login
  await knex.raw('CREATE INDEX CONCURRENTLY IF NOT EXISTS users_email_idx ON users (email)');
};

exports.down = async function (knex) {
  await knex.raw('DROP INDEX CONCURRENTLY users_email_idx');
};
