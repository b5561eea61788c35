"""plangap service: command line, API, storage, reviewer UI, bulk runs."""
