package dev.privacy.dpf.operator;

import io.fabric8.kubernetes.api.model.EventBuilder;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.time.Instant;
import java.util.UUID;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Kubernetes Events about claims (granted, denied, consumed, released), sent in the background:
 * best effort, never on the scheduling path, dropped (and counted) when the queue is full.
 */
final class Events {
  private static final Logger LOG = LoggerFactory.getLogger(Events.class);

  private final KubernetesClient client;
  private final ThreadPoolExecutor pool =
      new ThreadPoolExecutor(
          1,
          1,
          0,
          TimeUnit.MILLISECONDS,
          new ArrayBlockingQueue<>(10_000),
          r -> {
            Thread t = new Thread(r, "dpf-events");
            t.setDaemon(true);
            return t;
          },
          (r, e) -> {});
  final AtomicLong sent = new AtomicLong();

  Events(KubernetesClient client) {
    this.client = client;
  }

  void normal(HasMetadata about, String reason, String message) {
    emit(about, "Normal", reason, message);
  }

  void warning(HasMetadata about, String reason, String message) {
    emit(about, "Warning", reason, message);
  }

  private void emit(HasMetadata about, String type, String reason, String message) {
    String ns = about.getMetadata().getNamespace();
    String name = about.getMetadata().getName();
    String uid = about.getMetadata().getUid();
    String kind = about.getKind();
    String apiVersion = about.getApiVersion();
    String now = Instant.now().toString();
    pool.execute(
        () -> {
          try {
            client
                .v1()
                .events()
                .inNamespace(ns)
                .resource(
                    new EventBuilder()
                        .withNewMetadata()
                        .withNamespace(ns)
                        .withName(name + "." + UUID.randomUUID().toString().substring(0, 8))
                        .endMetadata()
                        .withNewInvolvedObject()
                        .withKind(kind)
                        .withApiVersion(apiVersion)
                        .withNamespace(ns)
                        .withName(name)
                        .withUid(uid)
                        .endInvolvedObject()
                        .withType(type)
                        .withReason(reason)
                        .withMessage(message == null ? "" : message)
                        .withNewSource("dpf-operator", null)
                        .withFirstTimestamp(now)
                        .withLastTimestamp(now)
                        .withCount(1)
                        .build())
                .create();
            sent.incrementAndGet();
          } catch (RuntimeException e) {
            LOG.debug("event {} on {}/{} not sent: {}", reason, ns, name, e.getMessage());
          }
        });
  }

  void close() {
    pool.shutdown();
    try {
      pool.awaitTermination(2, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    pool.shutdownNow();
  }
}
