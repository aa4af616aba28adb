"""The pages the api-server serves under ``/sohoa/``: the archivists' review pages and the campaign dashboard.

Not plugins themselves: ``plugins/.airflowignore`` keeps Airflow's plugin manager out of this folder, because every
task process loads the plugins folder (for its listeners), and these modules import FastAPI and Airflow's API
security. ``plugins/sohoa_review.py`` declares them, and the api-server imports them on the first request.
"""
