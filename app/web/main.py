"""Streamlit entry script: ``streamlit run app/web/main.py`` (or ``jigsaw app``)."""

from app.web.ui import run

run()
