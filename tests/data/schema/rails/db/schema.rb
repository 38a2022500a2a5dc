# This file is auto-generated from the current state of the database.

ActiveRecord::Schema[7.1].define(version: 2024_05_01_120000) do
  # These are extensions that must be enabled in order to support this database
  enable_extension "plpgsql"

  create_table "users", force: :cascade do |t|
    t.string "email", null: false
    t.string "name", limit: 120
    t.datetime "created_at", null: false
    t.datetime "updated_at", null: false
    t.index ["email"], name: "index_users_on_email", unique: true
    t.index ["email"], name: "index_users_on_email_dup"
  end

  create_table "orders", force: :cascade do |t|
    t.bigint "user_id", null: false
    t.bigint "coupon_id"
    t.decimal "total", precision: 10, scale: 2, default: "0.0", null: false
    t.float "amount"
    t.string "status", default: "new", null: false
    t.datetime "placed_at", precision: nil
    t.datetime "created_at", null: false
    t.datetime "updated_at", null: false
    t.index ["user_id"], name: "index_orders_on_user_id"
  end

  create_table "order_items", primary_key: ["order_id", "line_no"], force: :cascade do |t|
    t.bigint "order_id", null: false
    t.integer "line_no", null: false
    t.bigint "product_id", null: false
    t.integer "quantity", default: 1, null: false
  end

  create_table "products", id: :uuid, default: -> { "gen_random_uuid()" }, force: :cascade do |t|
    t.string "sku", null: false
    t.jsonb "attrs", default: {}
    t.index ["sku"], name: "index_products_on_sku", unique: true, where: "(sku IS NOT NULL)"
  end

  create_table "audit_events", id: false, force: :cascade do |t|
    t.references "user", foreign_key: true
    t.string "action", null: false
    t.timestamps
  end

  add_index "orders", ["status", "created_at"], where: "status <> 'done'"

  add_foreign_key "orders", "users", on_delete: :cascade
  add_foreign_key "order_items", "orders"
  add_foreign_key "order_items", "products", column: "product_id"
end
