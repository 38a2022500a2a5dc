exports.up = async function (knex) {
  await knex('order_statuses').insert([{ code: 'new' }, { code: 'shipped' }]);
};

exports.down = function (knex) {
  return knex('order_statuses').whereIn('code', ['new', 'shipped']).del();
};
