exports.up = (knex) =>
  knex.schema.alterTable('orders', (table) => {
    table.string('status').defaultTo('new');
  });

exports.down = (knex) =>
  knex.schema.alterTable('orders', (table) => {
    table.dropColumn('status');
  });
