class AddStatusToUsers < ActiveRecord::Migration[7.1]
  def up
    add_column :users, :status, :string, default: "active", null: false
  end

  def down
    remove_column :users, :status
  end
end
