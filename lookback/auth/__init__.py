"""Who may call the HTTP APIs: users with hashed tokens (`users`), what each role may do (`policy`),
and the FastAPI dependencies that enforce it (`fastapi`); `cli` manages users as `lookback users …`."""
