# The image of every Airflow container of docker-compose.yaml: Airflow's official image of the version that
# requirements.txt pins (tests/test_compose.py checks they agree), with Tesseract (Vietnamese), poppler and the
# fonts the pipeline needs (as scripts/install-system.sh installs them on Debian), and the project installed.
FROM apache/airflow:3.3.2-python3.11

USER root
RUN apt-get update \
    && apt-get install -y --no-install-recommends \
        tesseract-ocr tesseract-ocr-vie tesseract-ocr-osd poppler-utils fonts-liberation2 fonts-dejavu-core \
    && apt-get clean \
    && rm -rf /var/lib/apt/lists/*

USER airflow
# the exact pins first (a layer of their own, rebuilt only when they change), then the project over them
COPY --chown=airflow:0 requirements.txt requirements-hashed.txt /opt/sohoa/
RUN pip install --no-cache-dir -r /opt/sohoa/requirements.txt \
    && pip install --no-cache-dir --require-hashes --no-deps -r /opt/sohoa/requirements-hashed.txt
COPY --chown=airflow:0 . /opt/sohoa
# editable, as `make setup` does: the schemas, lexicon and XSDs under include/ are read from the source tree
RUN pip install --no-cache-dir --no-deps -e /opt/sohoa

ENV AIRFLOW__CORE__DAGS_FOLDER=/opt/sohoa/dags \
    AIRFLOW__CORE__PLUGINS_FOLDER=/opt/sohoa/plugins \
    SOHOA_WORK_DIR=/opt/sohoa/work \
    OMP_THREAD_LIMIT=1
