"""Tests of the deployment files: docker-compose.yml, Dockerfile, deploy/."""
