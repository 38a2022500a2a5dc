class AddEmailIndexToUsers < ActiveRecord::Migration[7.1]
  def up
    # Blocks writes to users while the index builds.
    execute <<~SQL
      CREATE INDEX index_users_on_email ON users (email);
    SQL
  end

  def down
    execute "DROP INDEX index_users_on_email"
  end
end
