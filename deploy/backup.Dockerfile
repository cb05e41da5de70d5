# The backup service of docker-compose.yml (profile ops): deploy/backup.sh and deploy/restore.sh
# with pg_dump and pg_restore of the server's major version (an older pg_dump refuses to dump a
# newer server) and Python with boto3 for the documents bucket. Keep FROM equal to the postgresql
# service's image.
FROM postgres:16.10
RUN apt-get update -q && apt-get install -y -q --no-install-recommends python3-boto3 \
    && rm -rf /var/lib/apt/lists/*
COPY deploy/backup.sh deploy/restore.sh deploy/bucket_sync.py /usr/local/bin/
ENTRYPOINT []
CMD ["backup.sh"]
