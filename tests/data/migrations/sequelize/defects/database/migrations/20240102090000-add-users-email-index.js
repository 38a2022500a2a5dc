'use strict';

module.exports = {
  async up(queryInterface) {
    await queryInterface.sequelize.query('CREATE INDEX users_email_idx ON "Users" (email)');
  },

  async down(queryInterface) {
    await queryInterface.sequelize.query('DROP INDEX users_email_idx');
  },
};
