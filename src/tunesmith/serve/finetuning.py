"""Fine-tuning beside serving: the job runner on the served base model, and each finished model served at once.

A succeeded job's adapter is attached to the running backend as `ft:<base>:<suffix>:<job id>` (its checkpoints as
`…:ckpt-step-N`), and again whenever the server starts. Fine-tuned models belong to the key whose job made them:
another key neither lists nor uses them.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from tunesmith.errors import InputError
from tunesmith.jobs.create import Trainer
from tunesmith.jobs.runner import JobRunner
from tunesmith.jobs.store import Job, JobStore, model_name
from tunesmith.serve.backends.local import LocalBackend
from tunesmith.serve.keys import SERVER_SECRETS_ENV


@dataclass
class FineTuning:
    """What the files and jobs routes share (found at `app.state.server.fine_tuning`)."""

    trainer: Trainer
    runner: JobRunner
    backend: LocalBackend

    @property
    def store(self) -> JobStore:
        return self.trainer.store

    def start(self) -> None:
        """Serve every succeeded job's model, then start taking jobs."""
        for job in self.store.jobs_with_status("succeeded"):
            if not job.model_deleted:
                self.serve_job(job)
        self.runner.start()

    def close(self) -> None:
        self.runner.close()
        self.store.close()

    def serve_job(self, job: Job) -> None:
        """Attach the job's final adapter and its checkpoints (already attached ones are left as they are)."""
        served = {m.name for m in self.backend.models()}
        pairs = [(model_name(job), str(Path(job.run_dir) / "final"))]
        pairs += [(c.model, c.path) for c in self.store.checkpoints(job.id)]
        for name, path in pairs:
            if name not in served:
                self.backend.load_adapter(name, path)

    def job_of(self, model: str) -> Job | None:
        """The job whose fine-tuned model (or checkpoint) `model` names, if it is one of this server's."""
        job_id = next((part for part in model.split(":") if part.startswith("ftjob-")), None)
        return self.store.get_job(job_id, any_key=True) if model.startswith("ft:") and job_id else None

    def visible(self, model: str, key_id: str | None) -> bool:
        """Whether the caller `key_id` may see and use `model` (a fine-tuned model only by its owner)."""
        job = self.job_of(model)
        return job is None or job.key_id == key_id


def open_fine_tuning(root: Path, store_url: str, backend, allow_code_graders: bool = False) -> FineTuning:
    """The fine-tuning service over `backend`'s base model, with jobs and files under `root`."""
    if not isinstance(backend, LocalBackend):
        raise InputError(
            "--fine-tuning", "fine-tuning needs a local model (the transformers, vllm or llama.cpp backend)"
        )
    root = Path(root).expanduser().resolve()
    root.mkdir(parents=True, exist_ok=True)
    store = JobStore(store_url)
    trainer = Trainer(store, root, backend.base_name, backend.base_path, backend.tokenizer, 1024, allow_code_graders)
    service = FineTuning(trainer, JobRunner(store, root, withheld_env=SERVER_SECRETS_ENV), backend)
    service.runner.on_succeeded = service.serve_job
    return service
