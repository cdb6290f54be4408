"""One module per `jigsaw` command group; each exposes a typer app registered in app.cli."""
