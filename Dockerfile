# The Jigsaw app and scheduler image for docker-compose.yml (Neo4j runs in its own container).
FROM python:3.11-slim
WORKDIR /opt/jigsaw
COPY pyproject.toml README.md ./
COPY graph ./graph
COPY ingest ./ingest
COPY queries ./queries
COPY app ./app
RUN pip install --no-cache-dir . && useradd --system --create-home jigsaw
USER jigsaw
EXPOSE 8501
