'use strict';

module.exports = {
  async up(queryInterface) {
    await queryInterface.bulkInsert('OrderStatuses', [
      { code: 'new', createdAt: new Date(), updatedAt: new Date() },
      { code: 'shipped', createdAt: new Date(), updatedAt: new Date() },
    ]);
  },

  async down() {
    /* reference data: nothing to undo */
  },
};
