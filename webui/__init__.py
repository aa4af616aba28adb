"""The pages the api-server serves under ``/sohoa/``: the archivists' review pages and the campaign dashboard.

Not in the plugins folder: every task process loads that folder to find its listeners, and these modules import
FastAPI and Airflow's API security (about 0.7 CPU s). ``plugins/sohoa_review.py`` declares them to Airflow, and the
api-server imports them on the first request to ``/sohoa/``.
"""
