class CreateUsers < ActiveRecord::Migration[7.1]
  def change
    create_table :users do |t|
      t.string :email, null: false
      t.string :display_name
      t.boolean :legacy_flag, default: false
      t.timestamps
    end
  end
end
