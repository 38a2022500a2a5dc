'use strict';

module.exports = {
  async up(queryInterface) {
    await queryInterface.sequelize.query('CREATE INDEX CONCURRENTLY IF NOT EXISTS users_email_idx ON "Users" (email)');
  },

  async down(queryInterface) {
    await queryInterface.sequelize.query('DROP INDEX CONCURRENTLY users_email_idx');
  },
};
