DATABASE_URL = "postgresql://db:5432/app"
