"""Developer tooling: the Docker-less local stack, the local gateway and the `sauti` command."""
