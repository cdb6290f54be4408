"""The app's views (not Streamlit's pages/ folder, which would expose each as its own page); each has page()."""
