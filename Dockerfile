# The ft server as a container image.
#
#   ./ft --version >/dev/null          # builds cli/target/ft.jar
#   docker build -t ft .
#   docker run -d --name ft -p 127.0.0.1:7070:7070/tcp -p 127.0.0.1:7070:7070/udp -v ft-data:/data \
#       ft serve --allow-anonymous
#
# BASE_IMAGE is any image with a Java 21+ runtime on PATH and a POSIX shell with mkdir and chown,
# such as the Eclipse Temurin JRE images. Where no registry is reachable, docker/jlink-base
# assembles one from the local JDK: docker build --build-arg BASE_IMAGE=ft-jre:local -t ft .
ARG BASE_IMAGE=eclipse-temurin:21-jre
FROM ${BASE_IMAGE}

# Numeric, so the user exists whatever the base image's /etc/passwd says.
ARG FT_UID=10001
RUN mkdir -p /data /opt/ft && chown "${FT_UID}:${FT_UID}" /data
COPY cli/target/ft.jar /opt/ft/ft.jar
COPY docker/ft docker/ft-healthcheck /usr/local/bin/
USER ${FT_UID}:${FT_UID}

# ft serve reads FT_ROOT and FT_LISTEN when --root and --listen are not given. Listening on a
# non-loopback address still needs --tls --users FILE (tokens) or an explicit --allow-anonymous.
ENV FT_ROOT=/data \
    FT_LISTEN=0.0.0.0:7070 \
    HOME=/tmp \
    JAVA_OPTS="-XX:+ExitOnOutOfMemoryError"
VOLUME ["/data"]
EXPOSE 7070/tcp 7070/udp
# One UDP ping to the server's own port: healthy means it answers, not just that the JVM runs.
HEALTHCHECK --interval=10s --timeout=8s --start-period=30s --retries=3 CMD ["ft-healthcheck"]
ENTRYPOINT ["ft"]
CMD ["serve"]
