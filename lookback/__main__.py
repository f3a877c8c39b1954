from lookback.cli import app

app()
