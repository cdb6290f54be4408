"""The Streamlit case app: find a child, the child's picture, alerts, the review queue, meeting mode.

Run it with ``jigsaw app``; the entry script is ``app/web/main.py``. See docs/app.md.
"""
