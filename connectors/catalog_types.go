package connectors

// Shared field sets: the seed's contract for PostgreSQL, MySQL, Redshift and
// SQL Server is host, port, database, username and password.
func hostFields(port int, extra ...Field) []Field {
	fields := []Field{
		{Name: "host", Type: FieldString, Required: true, Destination: true, MaxLength: 253, Description: "Host name or IP address of the server."},
		{Name: "port", Type: FieldInteger, Default: int64(port), Destination: true, Description: "TCP port of the server."},
		{Name: "database", Type: FieldString, Required: true, Destination: true, MaxLength: 255, Description: "Database to connect to."},
		{Name: "username", Type: FieldString, Required: true, MaxLength: 255, Description: "User to log in as. A read-only user is recommended."},
		{Name: "password", Type: FieldString, Secret: true, MaxLength: 1024, Description: "Password of the user."},
	}
	return append(fields, extra...)
}

var catalog = []TypeSpec{
	{
		ID: 1, Slug: "postgres", Name: "PostgreSQL", UserCreatable: true,
		Description: "PostgreSQL 11 or later.",
		Fields: hostFields(5432, Field{Name: "sslmode", Type: FieldString, Default: "prefer", Destination: true,
			Enum:        []string{"disable", "allow", "prefer", "require", "verify-ca", "verify-full"},
			Description: "libpq sslmode."}),
	},
	{
		ID: 2, Slug: "redshift", Name: "Amazon Redshift", UserCreatable: true,
		Description: "Amazon Redshift cluster or Serverless workgroup.",
		Fields: hostFields(5439, Field{Name: "sslmode", Type: FieldString, Default: "require", Destination: true,
			Enum:        []string{"disable", "prefer", "require", "verify-ca", "verify-full"},
			Description: "libpq sslmode."}),
	},
	{
		ID: 3, Slug: "mysql", Name: "MySQL", UserCreatable: true,
		Description: "MySQL 5.7 or later, or MariaDB 10.3 or later.",
		Fields: hostFields(3306, Field{Name: "tls", Type: FieldString, Default: "preferred", Destination: true,
			Enum:        []string{"false", "true", "skip-verify", "preferred"},
			Description: "TLS mode of the MySQL driver."},
			Field{Name: "all_databases", Type: FieldBoolean, Default: false,
				Description: "Discover and sync the tables of every database the user can see; by default only those of database."}),
	},
	{
		ID: 4, Slug: "sqlserver", Name: "Microsoft SQL Server", UserCreatable: true,
		Description: "SQL Server 2016 or later, or Azure SQL.",
		Fields: hostFields(1433,
			Field{Name: "encrypt", Type: FieldString, Default: "true", Destination: true, Enum: []string{"disable", "false", "true", "strict"}, Description: "Connection encryption."},
			Field{Name: "trust_server_certificate", Type: FieldBoolean, Default: false, Destination: true, Description: "Accept any server certificate."}),
	},
	{
		ID: 5, Slug: "bigquery", Name: "Google BigQuery", UserCreatable: true,
		Description: "BigQuery, authenticated with a service-account key.",
		Fields: []Field{
			{Name: "project_id", Type: FieldString, Required: true, Destination: true, MaxLength: 255, Description: "Google Cloud project id."},
			{Name: "credentials_json", Type: FieldJSON, Required: true, Secret: true, MaxLength: 65536, Description: "Service-account key (JSON)."},
			{Name: "location", Type: FieldString, MaxLength: 64, Description: "Default location for query jobs, e.g. US or EU."},
		},
	},
	{
		ID: 6, Slug: "snowflake", Name: "Snowflake", UserCreatable: true,
		Description: "Snowflake, authenticated with a password or a key pair.",
		Fields: []Field{
			{Name: "account", Type: FieldString, Required: true, Destination: true, MaxLength: 255, Description: "Account identifier, e.g. myorg-myaccount."},
			{Name: "username", Type: FieldString, Required: true, MaxLength: 255, Description: "User to log in as."},
			{Name: "password", Type: FieldString, Secret: true, MaxLength: 1024, Description: "Password (or use private_key)."},
			{Name: "private_key", Type: FieldString, Secret: true, MaxLength: 16384, Description: "PEM private key for key-pair authentication."},
			{Name: "warehouse", Type: FieldString, Required: true, MaxLength: 255, Description: "Virtual warehouse to run queries on."},
			{Name: "database", Type: FieldString, Required: true, Destination: true, MaxLength: 255, Description: "Database to connect to."},
			{Name: "role", Type: FieldString, MaxLength: 255, Description: "Role to assume."},
			{Name: "schema", Type: FieldString, MaxLength: 255, Description: "Default schema."},
		},
	},
	{
		ID: 7, Slug: "ducklake", Name: "DuckLake", UserCreatable: false,
		Description: "The team's lake (DuckLake format). sluice creates it with the team.",
		Fields:      []Field{},
	},
	{
		ID: 8, Slug: "cube", Name: "Cube", UserCreatable: true,
		Description: "A Cube deployment (Cube Core or Cube Cloud): cube queries are forwarded to its REST API.",
		Fields: []Field{
			{Name: "api_url", Type: FieldString, Required: true, Destination: true, MaxLength: 2048, Description: "The deployment's URL, e.g. https://example.cubecloud.dev (a trailing /cubejs-api/v1 is accepted)."},
			{Name: "token", Type: FieldString, Required: true, Secret: true, MaxLength: 16384, Description: "A Cube API token (a JWT signed with the deployment's API secret)."},
		},
	},
	{
		ID: 9, Slug: "stripe", Name: "Stripe", UserCreatable: true, API: true,
		Description: "Stripe's API: customers, charges, invoices, subscriptions and more as tables, synced into the lake (no SQL on the source).",
		Fields: []Field{
			{Name: "api_key", Type: FieldString, Required: true, Secret: true, MaxLength: 512, Description: "A secret (sk_...) or restricted (rk_...) API key with read access."},
			{Name: "api_base", Type: FieldString, Default: "https://api.stripe.com", Destination: true, MaxLength: 2048, Description: "The API's root URL; change it only for a proxy or a test server."},
		},
	},
}
