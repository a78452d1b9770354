"""The studio's pages, one script a task; Streamlit runs each by its file path."""
