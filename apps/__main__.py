from apps.cli import app

app()
