"""The whole-pipeline benchmark (issue 9): ``run`` measures one county, ``chart`` draws cost against size."""
