"""Identity Center APIs that moto does not implement (filled in by the engine work)."""


def install() -> None:
    return None
