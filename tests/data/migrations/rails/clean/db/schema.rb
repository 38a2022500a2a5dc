ActiveRecord::Schema[7.1].define(version: 2024_01_06_090000) do
  enable_extension "plpgsql"
end
