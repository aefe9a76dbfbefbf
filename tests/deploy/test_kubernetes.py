"""deploy/k8s validated offline: built-in kinds by kubernetes-validate against the Kubernetes API
schemas; the CRDs (Strimzi KafkaTopic, KEDA ScaledObject), which it has no schema for, checked
structurally here against shared/topics.py and the Deployments."""

from __future__ import annotations

import re
from typing import Any

import kubernetes_validate
import pytest

from shared.topics import ALL_TOPICS
from tests.deploy.manifests import ROOT, SERVICES, all_documents, of_kind

KUBERNETES_VERSION = "1.37.0"
CUSTOM_KINDS = {("kafka.strimzi.io/v1beta2", "KafkaTopic"), ("keda.sh/v1alpha1", "ScaledObject")}
TOPICS = {topic.name: topic for topic in ALL_TOPICS}


def built_in_documents() -> list[dict[str, Any]]:
    return [
        doc for _, doc in all_documents() if (doc["apiVersion"], doc["kind"]) not in CUSTOM_KINDS
    ]


def container(service: str) -> dict[str, Any]:
    pod = of_kind("Deployment")[service]["spec"]["template"]["spec"]
    (only,) = pod["containers"]
    return only  # type: ignore[no-any-return]


def test_every_built_in_resource_passes_strict_validation() -> None:
    documents = built_in_documents()
    kinds = {doc["kind"] for doc in documents}
    assert {"Deployment", "Service", "PodDisruptionBudget", "NetworkPolicy", "Secret"} <= kinds
    for doc in documents:
        kubernetes_validate.validate(doc, KUBERNETES_VERSION, strict=True)


def test_the_validator_rejects_a_misspelt_field() -> None:
    deployment = of_kind("Deployment")["intake"]
    deployment["spec"]["replicaz"] = 2
    with pytest.raises(kubernetes_validate.ValidationError):
        kubernetes_validate.validate(deployment, KUBERNETES_VERSION, strict=True)


@pytest.mark.parametrize("service", SERVICES)
def test_probes_use_healthz_and_readyz_on_the_service_port(service: str) -> None:
    spec = container(service)
    assert spec["readinessProbe"]["httpGet"]["path"] == "/readyz"
    assert spec["livenessProbe"]["httpGet"]["path"] == "/healthz"
    http = {port["name"]: port["containerPort"] for port in spec["ports"]}["http"]
    service_ports = of_kind("Service")[service]["spec"]["ports"]
    assert http in {port["targetPort"] for port in service_ports}


@pytest.mark.parametrize("service", SERVICES)
def test_containers_have_requests_and_limits_and_run_non_root_read_only(service: str) -> None:
    spec = container(service)
    assert {"cpu", "memory"} <= set(spec["resources"]["requests"])
    assert {"cpu", "memory"} <= set(spec["resources"]["limits"])
    security = spec["securityContext"]
    assert security["readOnlyRootFilesystem"] is True
    assert security["allowPrivilegeEscalation"] is False
    assert security["runAsNonRoot"] is True
    assert security["capabilities"]["drop"] == ["ALL"]
    pod = of_kind("Deployment")[service]["spec"]["template"]["spec"]
    assert pod["securityContext"]["runAsUser"] != 0


@pytest.mark.parametrize("service", SERVICES)
def test_each_service_has_a_disruption_budget_and_a_network_policy(service: str) -> None:
    labels = of_kind("Deployment")[service]["spec"]["template"]["metadata"]["labels"]
    budget = of_kind("PodDisruptionBudget")[service]["spec"]
    policy = of_kind("NetworkPolicy")[service]["spec"]
    for selector in (budget["selector"]["matchLabels"], policy["podSelector"]["matchLabels"]):
        assert selector.items() <= labels.items()
    assert budget["minAvailable"] < of_kind("Deployment")[service]["spec"]["replicas"]
    assert set(policy["policyTypes"]) == {"Ingress", "Egress"}
    http = {port["name"]: port["containerPort"] for port in container(service)["ports"]}["http"]
    assert http in {port["port"] for rule in policy["ingress"] for port in rule["ports"]}


@pytest.mark.parametrize("service", SERVICES)
def test_keys_and_database_urls_come_from_secrets(service: str) -> None:
    secrets = of_kind("Secret")
    config = next(iter(of_kind("ConfigMap").values()))["data"]
    referenced = {
        source["secretRef"]["name"]
        for source in container(service)["envFrom"]
        if "secretRef" in source
    }
    keys = {key for name in referenced for key in secrets[name]["stringData"]}
    assert {
        f"{service.upper()}_DATABASE_URL",
        "REDRESS_AUTH_SECRET",
        "REDRESS_ENCRYPTION_KEYS",
        "REDRESS_LOOKUP_KEY",
    } <= keys
    # Only its own database: a service never gets another service's credentials.
    assert not {f"{other.upper()}_DATABASE_URL" for other in SERVICES if other != service} & keys
    assert not [
        key
        for key in config
        if key.endswith(("_DATABASE_URL", "_SECRET", "_KEYS", "_KEY", "_TOKEN"))
    ]


def test_every_registered_topic_is_a_kafka_topic_with_its_partitions() -> None:
    resources = of_kind("KafkaTopic")
    assert {doc["spec"]["topicName"] for doc in resources.values()} == set(TOPICS)
    for doc in resources.values():
        topic = TOPICS[doc["spec"]["topicName"]]
        assert doc["metadata"]["labels"]["strimzi.io/cluster"]
        assert doc["spec"]["partitions"] == topic.partitions
        assert doc["spec"]["replicas"] >= 3
        config = doc["spec"]["config"]
        assert config["min.insync.replicas"] == 2
        assert config.get("retention.ms") == topic.retention_ms


@pytest.mark.parametrize("service", SERVICES)
def test_scaling_on_consumer_lag_stays_within_the_partitions(service: str) -> None:
    scaled = of_kind("ScaledObject")[service]["spec"]
    assert scaled["scaleTargetRef"]["name"] == service
    assert service in of_kind("Deployment")
    triggers = scaled["triggers"]
    assert triggers
    assert {trigger["type"] for trigger in triggers} == {"kafka"}
    for trigger in triggers:
        metadata = trigger["metadata"]
        assert metadata["topic"] in TOPICS
        assert metadata["consumerGroup"].startswith(f"redress-{service}-")
        assert int(metadata["lagThreshold"]) > 0
        # A replica past the partition count would own no partition of that topic.
        assert scaled["maxReplicaCount"] <= TOPICS[metadata["topic"]].partitions
    assert 1 <= scaled["minReplicaCount"] <= scaled["maxReplicaCount"]


@pytest.mark.parametrize("service", SERVICES)
def test_scaling_watches_exactly_the_consumer_groups_the_service_runs(service: str) -> None:
    # The groups are `redress-<service>-<consumer>` (shared/messaging.py); the consumers are named
    # where the service subscribes (`consumer="..."`), in any of its modules.
    source = "".join(path.read_text() for path in (ROOT / "services" / service).rglob("*.py"))
    consumers = set(re.findall(r'consumer="([a-z_-]+)"', source))
    assert consumers
    triggers = of_kind("ScaledObject")[service]["spec"]["triggers"]
    assert {t["metadata"]["consumerGroup"] for t in triggers} == {
        f"redress-{service}-{consumer}" for consumer in consumers
    }


def test_casework_can_reach_intakes_staff_api() -> None:
    """The console calls intake over HTTP: the URL is configured and the policy lets it out."""
    config = next(iter(of_kind("ConfigMap").values()))["data"]
    url = config["CASEWORK_INTAKE_URL"]
    intake = of_kind("Service")["intake"]["spec"]
    port = int(url.rsplit(":", 1)[1])
    assert url.startswith(f"http://{of_kind('Service')['intake']['metadata']['name']}:")
    assert port in {p["port"] for p in intake["ports"]}
    egress = of_kind("NetworkPolicy")["casework"]["spec"]["egress"]
    assert any(
        rule.get("to") == [{"podSelector": {"matchLabels": {"app.kubernetes.io/name": "intake"}}}]
        and {"protocol": "TCP", "port": port} in rule["ports"]
        for rule in egress
    )
