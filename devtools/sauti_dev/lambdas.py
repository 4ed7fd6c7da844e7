"""Loading and invoking the template's functions in this process, like `sam local invoke` without Docker.

Each function's handler module is loaded once from its ``CodeUri`` (one
"container" per function) and invoked one event at a time, as Lambda does.
"""

from __future__ import annotations

import importlib.util
import threading
import time
import uuid
from dataclasses import dataclass, field
from types import ModuleType
from typing import Any

from sauti_dev.template import FunctionSpec, Template, load_template


@dataclass
class LambdaContext:
    function_name: str
    memory_limit_in_mb: int = 512
    timeout_seconds: int = 30
    aws_request_id: str = field(default_factory=lambda: str(uuid.uuid4()))
    started: float = field(default_factory=time.monotonic)

    @property
    def invoked_function_arn(self) -> str:
        return f"arn:aws:lambda:us-east-1:123456789012:function:{self.function_name}"

    @property
    def function_version(self) -> str:
        return "$LATEST"

    @property
    def log_group_name(self) -> str:
        return f"/aws/lambda/{self.function_name}"

    def get_remaining_time_in_millis(self) -> int:
        return max(0, int((self.timeout_seconds - (time.monotonic() - self.started)) * 1000))


class LocalFunctions:
    """The template's functions, loaded lazily, each serialised by its own lock."""

    def __init__(self, template: Template | None = None):
        self.template = template or load_template()
        self._modules: dict[str, ModuleType] = {}
        self._locks = {name: threading.Lock() for name in self.template.functions}
        self._load_lock = threading.Lock()

    def spec(self, logical_id: str) -> FunctionSpec:
        try:
            return self.template.functions[logical_id]
        except KeyError:
            known = ", ".join(sorted(self.template.functions))
            raise KeyError(f"no function {logical_id} in template.yaml (known: {known})") from None

    def handler(self, logical_id: str) -> Any:
        spec = self.spec(logical_id)
        module_name, function_name = spec.handler.rsplit(".", 1)
        with self._load_lock:
            module = self._modules.get(logical_id)
            if module is None:
                path = spec.code_uri / (module_name.replace(".", "/") + ".py")
                module_spec = importlib.util.spec_from_file_location(f"sauti_function_{logical_id}", path)
                assert module_spec is not None and module_spec.loader is not None
                module = importlib.util.module_from_spec(module_spec)
                module_spec.loader.exec_module(module)
                self._modules[logical_id] = module
        return getattr(module, function_name)

    def module(self, logical_id: str) -> ModuleType:
        """The function's handler module, loaded by ``handler`` first."""
        self.handler(logical_id)
        return self._modules[logical_id]

    def invoke(self, logical_id: str, event: dict[str, Any]) -> Any:
        handler = self.handler(logical_id)
        with self._locks[logical_id]:
            return handler(event, LambdaContext(function_name=logical_id))
