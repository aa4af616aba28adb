"""Airflow operators of sohoa: one per stage, thin wrappers that pass references and call ``sohoa``."""
