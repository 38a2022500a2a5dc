class AddRoleToUsers < ActiveRecord::Migration[7.1]
  def change
    change_table :users do |t|
      t.string :role, default: "member"
      t.index :role
  end
