"""The deployment files, checked as far as this machine can (Docker cannot run here): they parse, reference
files that exist, name services consistently and set only variables the server reads; the README documents
every hosted-mode variable."""

from __future__ import annotations

import re
from pathlib import Path

import yaml

ROOT = Path(__file__).parent.parent
DEPLOY = ROOT / "deploy"
VARIABLE = re.compile(r"\bUNIFICALLY_[A-Z0-9_]+\b")


def read_variables() -> set[str]:
    """Every UNIFICALLY_* name the server's code mentions as a string."""
    names: set[str] = set()
    for path in (ROOT / "mcp_server").rglob("*.py"):
        names |= set(re.findall(r"[\"'](UNIFICALLY_[A-Z0-9_]+)[\"']", path.read_text()))
    return names


def compose() -> dict:
    return yaml.safe_load((DEPLOY / "compose.yaml").read_text())


def test_compose_runs_two_replicas_behind_a_balancer_with_postgres():
    services = compose()["services"]
    replicas = [name for name, service in services.items() if "build" in service]
    assert len(replicas) >= 2 and "postgres" in services and "nginx" in services
    for name in replicas:
        service = services[name]
        assert (ROOT / "deploy" / service["build"]["context"] / service["build"]["dockerfile"]).is_file()
        environment = service["environment"]
        assert environment["UNIFICALLY_AUTH"] == "user-key" and environment["UNIFICALLY_HTTP_STATELESS"] == "1"
        assert set(environment) <= read_variables(), set(environment) - read_variables()
    for service in services.values():
        for volume in service.get("volumes", []):
            source = volume.split(":")[0]
            if source.startswith("."):
                assert (DEPLOY / source).is_file(), volume
    nginx = (DEPLOY / "nginx.conf").read_text()
    assert sorted(re.findall(r"server (\S+):8000", nginx)) == sorted(replicas)
    assert "proxy_buffering off" in nginx and "$http_host" in nginx  # SSE flows; the Host check sees the client's


def test_dockerfile_installs_the_package_and_runs_http_as_non_root():
    dockerfile = (DEPLOY / "Dockerfile").read_text()
    for source in re.findall(r"^COPY (?!--)(.+) \S+$", dockerfile, re.MULTILINE):
        for name in source.split():
            assert (ROOT / name).exists(), name
    assert re.search(r"^USER app$", dockerfile, re.MULTILINE)
    assert 'CMD ["unifically-mcp", "serve", "--transport", "http"]' in dockerfile
    assert set(VARIABLE.findall(dockerfile)) <= read_variables()


def test_the_readme_documents_every_hosted_variable():
    readme = (ROOT / "README.md").read_text()
    section = readme[readme.index("## Hosted mode"):]
    sources = [ROOT / "mcp_server/transports/settings.py", ROOT / "mcp_server/transports/cli.py"]
    hosted = {name for path in sources for name in VARIABLE.findall(path.read_text())}
    assert hosted and not hosted - set(VARIABLE.findall(section)), hosted - set(VARIABLE.findall(section))
