package dev.privacy.dpf.operator;

import dev.privacy.dpf.crds.PrivacyClaim;
import dev.privacy.dpf.crds.PrivateBlock;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The operator's reads and writes on the API server. Every write is conditional on the
 * resourceVersion of the object it is based on (a 409 comes back as {@link Conflict}); transient
 * failures (5xx, timeouts, connection errors) are retried with exponential backoff. Writes are
 * counted, and tests can inject a crash before any write.
 */
final class Api {
  private static final Logger LOG = LoggerFactory.getLogger(Api.class);

  /** The server said 409: the object changed since it was read. */
  static final class Conflict extends RuntimeException {
    Conflict(String what, Throwable cause) {
      super(what + ": conflict (the object changed since it was read)", cause);
    }
  }

  /** A hook run before every write; a test throws {@link SimulatedCrash} from it. */
  interface WriteHook {
    void beforeWrite(String kind, String target);
  }

  /** Thrown by a test's hook: the process "dies" here, before the write is sent. */
  static final class SimulatedCrash extends Error {
    SimulatedCrash(String where) {
      super("simulated crash before " + where);
    }
  }

  private final KubernetesClient client;
  private final Set<String> namespaces;
  private volatile WriteHook hook = (k, t) -> {};
  final AtomicLong blockWrites = new AtomicLong();
  final AtomicLong claimWrites = new AtomicLong();
  final AtomicLong finalizerWrites = new AtomicLong();
  final AtomicLong eventWrites = new AtomicLong();
  final AtomicLong retries = new AtomicLong();
  final AtomicLong conflicts = new AtomicLong();

  Api(KubernetesClient client, Set<String> namespaces) {
    this.client = client;
    this.namespaces = namespaces;
  }

  KubernetesClient client() {
    return client;
  }

  void hook(WriteHook h) {
    this.hook = h;
  }

  List<PrivateBlock> listBlocks() {
    return retrying(
        "list blocks",
        () -> {
          if (namespaces.isEmpty()) {
            return client.resources(PrivateBlock.class).inAnyNamespace().list().getItems();
          }
          List<PrivateBlock> all = new ArrayList<>();
          for (String ns : namespaces) {
            all.addAll(client.resources(PrivateBlock.class).inNamespace(ns).list().getItems());
          }
          return all;
        });
  }

  List<PrivacyClaim> listClaims() {
    return retrying(
        "list claims",
        () -> {
          if (namespaces.isEmpty()) {
            return client.resources(PrivacyClaim.class).inAnyNamespace().list().getItems();
          }
          List<PrivacyClaim> all = new ArrayList<>();
          for (String ns : namespaces) {
            all.addAll(client.resources(PrivacyClaim.class).inNamespace(ns).list().getItems());
          }
          return all;
        });
  }

  <T extends HasMetadata> T get(Class<T> type, String namespace, String name) {
    return retrying(
        "get " + namespace + "/" + name,
        () -> client.resources(type).inNamespace(namespace).withName(name).get());
  }

  List<Pod> podsOf(String namespace, String claimName) {
    return retrying(
        "list pods of " + namespace + "/" + claimName,
        () ->
            client
                .pods()
                .inNamespace(namespace)
                .withLabel(dev.privacy.dpf.crds.DpfApi.LABEL_CLAIM, claimName)
                .list()
                .getItems());
  }

  /** Replaces the status of {@code desired}, conditional on its resourceVersion. */
  <T extends HasMetadata> T putStatus(T desired, AtomicLong counter) {
    String what = desired.getKind() + " " + key(desired) + " status";
    hook.beforeWrite(desired.getKind() + "-status", key(desired));
    return retrying(
        what,
        () -> {
          T r = client.resource(desired).updateStatus();
          counter.incrementAndGet();
          return r;
        });
  }

  /** Replaces {@code desired} (metadata and spec), conditional on its resourceVersion. */
  <T extends HasMetadata> T put(T desired) {
    String what = desired.getKind() + " " + key(desired);
    hook.beforeWrite(desired.getKind() + "-metadata", key(desired));
    return retrying(
        what,
        () -> {
          T r = client.resource(desired).update();
          finalizerWrites.incrementAndGet();
          return r;
        });
  }

  static String key(HasMetadata o) {
    return o.getMetadata().getNamespace() + "/" + o.getMetadata().getName();
  }

  interface Call<R> {
    R run();
  }

  /** Runs {@code call}, retrying transient failures; 409 becomes {@link Conflict}. */
  <R> R retrying(String what, Call<R> call) {
    long delay = 20;
    for (int attempt = 1; ; attempt++) {
      try {
        return call.run();
      } catch (KubernetesClientException e) {
        if (e.getCode() == 409) {
          conflicts.incrementAndGet();
          throw new Conflict(what, e);
        }
        boolean transientError = e.getCode() >= 500 || e.getCode() <= 0 || e.getCode() == 429;
        if (!transientError || attempt >= 6) {
          throw e;
        }
        retries.incrementAndGet();
        LOG.info("{} failed ({}), retry {} in {} ms", what, e.getCode(), attempt, delay);
        sleep(delay);
        delay = Math.min(delay * 2, 2_000);
      }
    }
  }

  private static void sleep(long ms) {
    try {
      Thread.sleep(ms);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while waiting to retry", e);
    }
  }
}
