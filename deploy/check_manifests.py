#!/usr/bin/env python3
"""Offline check of deploy/k8s/*.yaml (no cluster, no network).

1. Schema: every document against the Kubernetes OpenAPI schemas bundled in the
   PyPI package kubernetes-validate (strict: unknown fields are errors).
2. What csm-serve needs, which no schema knows: the Deployment requests a GPU,
   readiness probes /ready, liveness /health, a preStop hook and a grace period
   longer than it, a Service selecting the pods' labels and targeting their port.

  check_manifests.py deploy/k8s        exit 0 when everything holds
Without kubernetes-validate installed, step 1 is skipped and said so (exit 0 only
if step 2 passes); tests/server/setup_venv.sh installs it.
"""
import glob
import os
import sys

import yaml

K8S_VERSION = "1.29.0"


def main(folder):
    problems, docs = [], []
    for path in sorted(glob.glob(os.path.join(folder, "*.yaml"))):
        with open(path) as f:
            for doc in yaml.safe_load_all(f):
                if doc:
                    docs.append((os.path.basename(path), doc))
    if not docs:
        print("no manifests in", folder)
        return 1
    try:
        import kubernetes_validate
    except ImportError:
        kubernetes_validate = None
        print("schema check SKIPPED: kubernetes-validate is not installed (pip install kubernetes-validate)")
    if kubernetes_validate:
        for name, doc in docs:
            try:
                kubernetes_validate.validate(doc, K8S_VERSION, strict=True)
                print(f"schema ok: {name}: {doc['kind']} {doc['metadata']['name']} (Kubernetes {K8S_VERSION}, strict)")
            except kubernetes_validate.ValidationError as e:
                problems.append(f"{name}: {doc.get('kind')}: {e.message} at {'.'.join(map(str, e.path))}")
            except Exception as e:
                problems.append(f"{name}: {type(e).__name__}: {e}")

    by_kind = {}
    for name, doc in docs:
        by_kind.setdefault(doc.get("kind"), []).append(doc)
    deployments, services = by_kind.get("Deployment", []), by_kind.get("Service", [])
    if len(deployments) != 1 or len(services) != 1:
        problems.append("expected one Deployment and one Service")
    else:
        d, s = deployments[0], services[0]
        pod = d["spec"]["template"]
        c = pod["spec"]["containers"][0]
        labels = pod["metadata"].get("labels", {})
        if d["spec"]["selector"]["matchLabels"].items() - labels.items():
            problems.append("Deployment selector does not match its pod labels")
        limits = c.get("resources", {}).get("limits", {})
        if str(limits.get("nvidia.com/gpu", "0")) == "0":
            problems.append("no GPU in the container's limits (nvidia.com/gpu)")
        ports = {p.get("name"): p["containerPort"] for p in c.get("ports", [])}

        def probe_path(kind):
            return (c.get(kind) or {}).get("httpGet", {}).get("path")
        if probe_path("readinessProbe") != "/ready":
            problems.append("readinessProbe must be GET /ready")
        if probe_path("livenessProbe") != "/health":
            problems.append("livenessProbe must be GET /health")
        pre_stop = c.get("lifecycle", {}).get("preStop")
        if not pre_stop:
            problems.append("no preStop hook (time for the load balancers before SIGTERM drains)")
        grace = pod["spec"].get("terminationGracePeriodSeconds", 30)
        if grace < 120:
            problems.append(f"terminationGracePeriodSeconds {grace} is shorter than a stream may last")
        args = " ".join(c.get("args", []))
        if "--host=0.0.0.0" not in args:
            problems.append("csm-serve binds to loopback unless --host=0.0.0.0: the Service could not reach it")
        if s["spec"]["selector"].items() - labels.items():
            problems.append("Service selector does not match the pod labels")
        for p in s["spec"]["ports"]:
            target = p.get("targetPort")
            if target not in ports and target not in ports.values():
                problems.append(f"Service targetPort {target} is not a container port")
        if not problems:
            print("structure ok: GPU request, readiness /ready, liveness /health, preStop, grace period, Service")
    for p in problems:
        print("PROBLEM:", p)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(__file__), "k8s")))
