'use strict';

module.exports = {
  async up(queryInterface, Sequelize) {
    await queryInterface.addColumn('Orders', 'totalCents', {
      type: Sequelize.BIGINT,
    });
  },

  async down(queryInterface) {
    await queryInterface.removeColumn('Orders', 'totalCents');
  },
};
