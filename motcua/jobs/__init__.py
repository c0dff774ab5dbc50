"""Background work: the ``motcua worker`` command, scheduled jobs, retries with backoff, on-commit enqueueing.

See docs/background-work.md. The public surface:

- :func:`motcua.jobs.services.enqueue_on_commit` — enqueue a task so that it exists only if the surrounding
  transaction commits;
- :func:`motcua.jobs.services.effect_claim` — make a task's effect happen once, whatever the retries;
- :func:`motcua.jobs.retry.retry` — a task's retry policy (max attempts, exponential backoff);
- :func:`motcua.jobs.schedule.register` — run a task every N seconds or daily at a local time.
"""
