# syntax=docker/dockerfile:1
# The DPF operator image: docker build -t <registry>/dpf-operator:0.1.0 .
# (the chart's image defaults: repository dpf-operator, tag = its appVersion, user 10001:10001;
# e2e's DockerfileTest keeps them in step with this file)

# --- build: the shaded operator jar, with the project's own Maven wrapper --------------------
FROM eclipse-temurin:17-jdk AS build
WORKDIR /src
# the reactor's poms first (every module's pom must exist, even for -pl operator)
COPY mvnw pom.xml ./
COPY .mvn/ .mvn/
COPY dpf-algorithm/ dpf-algorithm/
COPY crds/ crds/
COPY operator/ operator/
COPY e2e/pom.xml e2e/pom.xml
# the tests run in CI (./mvnw verify); the image build only packages
RUN --mount=type=cache,target=/root/.m2 \
    ./mvnw -B -ntp package -DskipTests -pl operator -am

# --- runtime: a JRE and the jar, nothing else -----------------------------------------------
FROM eclipse-temurin:17-jre
LABEL org.opencontainers.image.title="dpf-operator" \
      org.opencontainers.image.version="0.1.0" \
      org.opencontainers.image.description="DPF privacy-budget scheduler for Kubernetes: the operator"
# owned by root, readable by all: the operator cannot change its own code
COPY --from=build /src/operator/target/dpf-operator.jar /app/dpf-operator.jar
# a numeric user, so that runAsNonRoot can check it without a passwd entry
USER 10001:10001
# 9443: the admission webhooks (HTTPS); 8081: /healthz and /readyz
EXPOSE 9443 8081
# heap from the container's memory limit; die on OutOfMemoryError (the kubelet restarts the pod,
# the next leader rebuilds from the API server); no perf-data file (the root file system is
# read-only, /tmp is a small emptyDir)
ENTRYPOINT ["java", "-XX:MaxRAMPercentage=75.0", "-XX:+ExitOnOutOfMemoryError", "-XX:-UsePerfData", "-jar", "/app/dpf-operator.jar"]
