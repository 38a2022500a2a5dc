class BackfillUserDisplayNames < ActiveRecord::Migration[7.1]
  class User < ApplicationRecord
    self.table_name = "users"
  end

  def up
    User.where(display_name: nil).find_each do |user|
      user.update_columns(display_name: user.email.split("@").first)
    end
  end
end
