"""argparse with one-line errors (exit 2) and a guard that turns known failures into one line (exit 1)."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from typing import NoReturn


class ArgumentParser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:
        print(f"{self.prog}: {message} (see {self.prog} --help)", file=sys.stderr)
        raise SystemExit(2)


def fail(message: str, code: int = 1) -> int:
    print(message, file=sys.stderr)
    return code


def guarded(prog: str, action: Callable[[], int]) -> int:
    """Run a command; config problems exit 2, AWS and other known failures exit 1, each as one line."""
    from botocore.exceptions import BotoCoreError, ClientError, NoCredentialsError

    from entra_aws.config import ConfigError
    from entra_aws.engine.ports import ApiError
    from entra_aws.engine.scope import ScopeError

    try:
        return action()
    except ConfigError as error:
        for problem in error.problems:
            print(problem, file=sys.stderr)
        return 2
    except ScopeError as error:
        return fail(f"{prog}: {error}", 2)
    except NoCredentialsError:
        return fail(f"{prog}: no AWS credentials found (standard chain: env, profile, SSO, instance role)")
    except ClientError as error:
        info = error.response.get("Error", {})
        return fail(f"{prog}: AWS refused {error.operation_name}: {info.get('Code')}: {info.get('Message')}")
    except ApiError as error:  # the same refusal, as the engine's adapters report it
        return fail(f"{prog}: AWS refused {error.operation}: {error.code}: {error.message}")
    except BotoCoreError as error:
        return fail(f"{prog}: {error}")
    except LookupError as error:
        return fail(f"{prog}: {error}")
    except KeyboardInterrupt:
        return fail(f"{prog}: interrupted; re-run to converge (every run starts from live state)", 130)
