FROM python:3.11-slim
# The evidence bundle and the determination form are PDFs with Chinese text: without a CJK font
# every injury case fails to generate its form.
RUN apt-get update -q && apt-get install -y -q --no-install-recommends fonts-wqy-microhei \
    && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY . .
RUN pip install --no-cache-dir . && useradd --system --uid 10001 --home-dir /app caseguard \
    && mkdir -p /app/var && chown caseguard /app/var
USER caseguard
ENV CASEGUARD_PDF_FONT=/usr/share/fonts/truetype/wqy/wqy-microhei.ttc
EXPOSE 8000
CMD ["python", "worker.py"]
