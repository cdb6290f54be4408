"""What people use: the `jigsaw` command line and the Streamlit case app."""
