exports.up = async function (knex) {
  // users are looked up by email on every login
  await knex.raw('CREATE INDEX users_email_idx ON users (email)');
};

exports.down = async function (knex) {
  await knex.raw('DROP INDEX users_email_idx');
};
