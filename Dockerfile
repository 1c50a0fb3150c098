# One image for every hydrawatch role: stream worker, linker, API/dashboard and one-shot CLI jobs
# (docker-compose.yml). Network is needed only while building (pip); containers run air-gapped.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    HYDRAWATCH_CACHE_DIR=/opt/hydrawatch/cache \
    HF_HUB_OFFLINE=1 \
    TRANSFORMERS_OFFLINE=1

WORKDIR /app
# Only what `pip install .` needs (.dockerignore keeps .venv, var/, caches and data out of the context).
COPY pyproject.toml README.md ./
COPY hydrawatch ./hydrawatch
COPY detector ./detector
COPY features ./features
COPY streams ./streams
COPY api ./api

# PyTorch comes with sentence-transformers. Set PIP_EXTRA_INDEX_URL (build arg) to a CPU-only PyTorch index
# to keep the image small; the default pulls the registry's default (CUDA-enabled) wheels. The static
# embedding model is distilled here (about 30 s), so containers start without delay or network.
ARG PIP_EXTRA_INDEX_URL=""
RUN PIP_EXTRA_INDEX_URL="${PIP_EXTRA_INDEX_URL}" pip install . \
    && python -c "from hydrawatch.settings import Settings; from features.embeddings import load_tiers; load_tiers(Settings())" \
    && chmod -R a+rX /opt/hydrawatch \
    && useradd --system --uid 10001 --home-dir /var/lib/hydrawatch --create-home hydrawatch

USER hydrawatch
WORKDIR /var/lib/hydrawatch
# 8000: API and dashboard (`hydrawatch serve`); 9100: /metrics and /healthz of `hydrawatch stream`.
EXPOSE 8000 9100
ENTRYPOINT ["hydrawatch"]
CMD ["--help"]
