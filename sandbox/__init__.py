"""A local AWS for trying entra-aws before deploying: moto in server mode on 127.0.0.1, plus fills for the
Identity Center APIs moto does not implement."""
