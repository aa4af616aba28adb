"""Campaigns (đợt số hóa): many batches of one digitization effort, added up.

``inbox`` finds the batches scanning stations have finished (a ``READY`` marker) and orders them by priority;
``figures`` reads what one batch adds to its campaign off its ``report.json``; ``store`` keeps those figures in
a SQL database (any SQLAlchemy URL: SQLite or PostgreSQL beside Airflow's), a re-run replacing its batch's
rows; ``dashboard`` draws them (Vega-Lite through Altair); ``survey`` answers the Ministry's survey from them
(``survey_xlsx``, ``survey_pdf``); ``progress`` reports how far each stage has come. Nothing here imports Airflow.
"""
