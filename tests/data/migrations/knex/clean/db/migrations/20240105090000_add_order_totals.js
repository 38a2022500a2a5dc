exports.up = async function (knex) {
  await knex.raw(`
    ALTER TABLE orders ADD COLUMN total_cents bigint;
  `);
};

exports.down = async function (knex) {
  await knex.raw('ALTER TABLE orders DROP COLUMN total_cents');
};
