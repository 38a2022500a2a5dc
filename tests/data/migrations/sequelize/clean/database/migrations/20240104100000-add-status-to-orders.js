'use strict';

module.exports = {
  async up(queryInterface, Sequelize) {
    await queryInterface.addColumn('Orders', 'status', { type: Sequelize.STRING, defaultValue: 'new' });
  },

  async down(queryInterface) {
    await queryInterface.removeColumn('Orders', 'status');
  },
};
