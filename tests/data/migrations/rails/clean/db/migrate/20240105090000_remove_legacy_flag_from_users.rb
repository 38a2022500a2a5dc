class RemoveLegacyFlagFromUsers < ActiveRecord::Migration[7.1]
  def change
    remove_column :users, :legacy_flag, :boolean, default: false
  end
end
