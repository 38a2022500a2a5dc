exports.up = async function (knex) {
  await knex('order_statuses').insert([{ code: 'new' }, { code: 'shipped' }]);
};

exports.down = function () {
  // TODO
  return Promise.resolve();
};
