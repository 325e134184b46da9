"""Where the local stack listens and keeps its state; read once from the environment."""

import os
from dataclasses import dataclass
from pathlib import Path

from tasks_local.runtime.origins import ALLOWED_ORIGINS_VARIABLE, OriginPolicy

REPO_ROOT = Path(__file__).resolve().parents[3]


@dataclass(frozen=True)
class LocalSettings:
    aws_port: int
    api_port: int
    region: str
    state_dir: Path
    prefix: str = "local-tasks"
    host: str = "127.0.0.1"
    allowed_origins: str = ""  # LOCAL_ALLOWED_ORIGINS: more web pages that may call the local endpoints
    body_timeout_seconds: float = 10.0  # LOCAL_BODY_TIMEOUT_SECONDS: how long the API waits for a body
    keeps_state: bool = True  # LOCAL_KEEP_STATE=0: a throwaway stack (the state goes when it stops)

    @classmethod
    def from_env(cls) -> "LocalSettings":
        return cls(
            aws_port=int(os.environ.get("AWS_PORT", "4566")),
            api_port=int(os.environ.get("API_PORT", "3000")),
            region=os.environ.get("AWS_REGION", "us-east-1"),
            state_dir=Path(os.environ.get("TASKS_LOCAL_STATE", REPO_ROOT / ".local")),
            allowed_origins=os.environ.get(ALLOWED_ORIGINS_VARIABLE, ""),
            body_timeout_seconds=float(os.environ.get("LOCAL_BODY_TIMEOUT_SECONDS", "10")),
            keeps_state=os.environ.get("LOCAL_KEEP_STATE", "1") not in ("0", "false", "no"),
        )

    @property
    def aws_endpoint(self) -> str:
        return f"http://{self.host}:{self.aws_port}"

    @property
    def stack_file(self) -> Path:
        """One per AWS port: stacks on other ports, started from the same folder, keep their own."""
        return self.state_dir / f"stack-{self.aws_port}.json"

    @property
    def state_directory(self) -> Path:
        """What the stack on this AWS port keeps across restarts (runtime/persistence.py)."""
        return self.state_dir / f"state-{self.aws_port}"

    @property
    def api_url(self) -> str:
        return f"http://{self.host}:{self.api_port}"

    @property
    def web_url(self) -> str:
        """The approvers' web app, on the API's own origin as in AWS (runtime/web_app.py)."""
        return f"{self.api_url}/app/"

    @property
    def origin_policy(self) -> OriginPolicy:
        """The browser origins both local endpoints serve: the stack's own, and LOCAL_ALLOWED_ORIGINS."""
        own = (
            f"http://{host}:{port}"
            for host in (self.host, "localhost")
            for port in (self.api_port, self.aws_port)
        )
        return OriginPolicy.of(own, self.allowed_origins)


def write_private(path: Path, data: bytes, *, first_writer_wins: bool = False) -> None:
    """Write a file only its owner may read, at no moment readable by others nor half written. With
    `first_writer_wins`, an existing file is kept and FileExistsError raised (os.link never replaces)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    with os.fdopen(os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600), "wb") as file:
        file.write(data)
    try:
        if first_writer_wins:
            os.link(temporary, path)
        else:
            os.replace(temporary, path)
    finally:
        temporary.unlink(missing_ok=True)
