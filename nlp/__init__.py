"""plangap NLP pipeline: ingest -> structure -> extract -> compare."""
