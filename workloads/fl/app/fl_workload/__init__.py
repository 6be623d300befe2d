"""Reference federated-learning workload (Flower) for the fl-observability stack."""

__version__ = "1.0.0"
