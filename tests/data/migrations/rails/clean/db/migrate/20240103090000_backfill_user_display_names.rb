class BackfillUserDisplayNames < ActiveRecord::Migration[7.1]
  class User < ApplicationRecord
    self.table_name = "users"
  end

  def up
    User.where(display_name: nil).find_each do |user|
      user.update_columns(display_name: user.email.split("@").first)
    end
  end

  def down
    # Names filled in by this backfill are the ones equal to the email's local part.
    execute <<~SQL
      UPDATE users SET display_name = NULL WHERE display_name = split_part(email, '@', 1)
    SQL
  end
end
