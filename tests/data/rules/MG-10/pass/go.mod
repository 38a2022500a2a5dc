module example.com/shop

go 1.22

require (
	github.com/golang-migrate/migrate/v4 v4.17.0
	github.com/jackc/pgx/v5 v5.6.0
)
