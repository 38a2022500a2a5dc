class AddEmailIndexToUsers < ActiveRecord::Migration[7.1]
  disable_ddl_transaction!

  def up
    execute <<~SQL
      CREATE INDEX CONCURRENTLY IF NOT EXISTS index_users_on_email ON users (email);
    SQL
  end

  def down
    execute "DROP INDEX CONCURRENTLY index_users_on_email"
  end
end
