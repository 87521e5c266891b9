package dev.privacy.dpf.operator;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.privacy.dpf.crds.ClaimPhase;
import dev.privacy.dpf.crds.DpfApi;
import dev.privacy.dpf.crds.PrivacyClaim;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodSchedulingGate;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Releases the pods of Allocated claims: removes the budget gate {@code dpf.privacy.dev/budget}
 * (and only that gate) with a JSON Patch, adding the pod finalizer in the same patch so that the
 * pod cannot vanish before the operator has seen whether it ran. A pod of a Denied or finished
 * claim stays gated, with an annotation and an Event that say why (and is deleted with {@code
 * --denied-pods=delete}). The finalizer goes once the pod is over and the claim's outcome is
 * durable.
 *
 * <p>It acts on what the scheduler wrote or read of each claim ({@link #claim}): a claim's phase is
 * Allocated here only once that status is on the API server, the grant's commit point, so a pod is
 * never released before its claim is Allocated. It runs on the leader only.
 */
final class GateController implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(GateController.class);
  private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

  /** What is known of the claim a pod names. */
  record View(
      String uid,
      long resourceVersion,
      ClaimPhase phase,
      String reason,
      String message,
      boolean deleting) {
    boolean releases() {
      return phase == ClaimPhase.Allocated && !deleting;
    }

    boolean finished() {
      return phase != null && phase.finished();
    }
  }

  /** Observes claims becoming Allocated here and pods released, with the times (benchmarks). */
  interface ReleaseListener {
    void allocated(String claimKey, long nanos);

    void released(Pod pod, long nanos);
  }

  private final KubernetesClient client;
  private final Workloads workloads;
  private final Events events;
  private final boolean deleteDenied;
  private final boolean sendEvents;
  private final ExecutorService pool;
  private final ConcurrentHashMap<String, View> views = new ConcurrentHashMap<>();
  private final Set<String> inFlight = ConcurrentHashMap.newKeySet();
  private volatile boolean ready;
  private volatile ReleaseListener releaseListener =
      new ReleaseListener() {
        @Override
        public void allocated(String claimKey, long nanos) {}

        @Override
        public void released(Pod pod, long nanos) {}
      };

  final AtomicLong released = new AtomicLong();
  final AtomicLong marked = new AtomicLong();
  final AtomicLong deleted = new AtomicLong();
  final AtomicLong finalizersRemoved = new AtomicLong();

  GateController(KubernetesClient client, Workloads workloads, Events events, OperatorConfig cfg) {
    this.client = client;
    this.workloads = workloads;
    this.events = events;
    this.deleteDenied = "delete".equals(cfg.deniedPods());
    this.sendEvents = cfg.events();
    this.pool =
        Executors.newFixedThreadPool(
            cfg.writeThreads(),
            r -> {
              Thread t = new Thread(r, "dpf-gates");
              t.setDaemon(true);
              return t;
            });
    workloads.listen(this::pod);
  }

  void onRelease(ReleaseListener l) {
    this.releaseListener = l;
  }

  /** The claim as the scheduler just wrote or read it: its pods are acted on. */
  void claim(PrivacyClaim c) {
    String key = Api.key(c);
    View v = viewOf(c);
    View merged =
        views.merge(
            key,
            v,
            (old, now) ->
                Objects.equals(old.uid(), now.uid())
                        && old.resourceVersion() > now.resourceVersion()
                    ? old
                    : now);
    if (merged == v && v.releases()) {
      releaseListener.allocated(key, System.nanoTime());
    }
    if (ready && merged == v) {
      for (Pod p : workloads.pods(c.getMetadata().getNamespace(), c.getMetadata().getName())) {
        act(p);
      }
    }
  }

  /** The claim is gone (its finalizer removed): its finished pods may go too. */
  void claimGone(PrivacyClaim c) {
    String key = Api.key(c);
    views.computeIfPresent(
        key, (k, v) -> Objects.equals(v.uid(), c.getMetadata().getUid()) ? null : v);
    if (ready) {
      for (Pod p : workloads.pods(c.getMetadata().getNamespace(), c.getMetadata().getName())) {
        act(p);
      }
    }
  }

  /** Every claim has been handed over ({@link #claim}): act on every pod once. */
  void ready() {
    ready = true;
    for (Pod p : workloads.allPods()) {
      act(p);
    }
  }

  /** Leadership lost: forget everything until the next rebuild. */
  void standby() {
    ready = false;
    views.clear();
  }

  private static View viewOf(PrivacyClaim c) {
    long rv;
    try {
      rv = Long.parseLong(c.getMetadata().getResourceVersion());
    } catch (NumberFormatException e) {
      rv = 0;
    }
    return new View(
        c.getMetadata().getUid(),
        rv,
        c.getStatus() == null ? null : c.getStatus().getPhase(),
        c.getStatus() == null ? null : c.getStatus().getReason(),
        c.getStatus() == null ? null : c.getStatus().getMessage(),
        c.getMetadata().getDeletionTimestamp() != null);
  }

  private void pod(Pod p) {
    if (ready) {
      act(p);
    }
  }

  /** Decides what a pod needs, and does it in the background (once at a time per pod). */
  private void act(Pod p) {
    String key = Workloads.claimKey(p);
    View v = views.get(key);
    java.util.function.BooleanSupplier work = null;
    if (p.getMetadata().getDeletionTimestamp() == null && Workloads.gated(p)) {
      if (v != null && v.releases()) {
        work = () -> release(p);
      } else if (v != null && v.finished() && !reasonShown(p, v)) {
        work = () -> refuse(p, v);
      }
    } else if (hasFinalizer(p) && mayForget(p, v)) {
      work = () -> forget(p);
    }
    if (work == null || !inFlight.add(p.getMetadata().getUid())) {
      return; // nothing to do, or a write is in flight (it looks again when it is done)
    }
    java.util.function.BooleanSupplier w = work;
    pool.execute(
        () -> {
          boolean done = false;
          try {
            done = w.getAsBoolean();
          } catch (RuntimeException e) {
            LOG.warn("pod {}: {}", Api.key(p), e.getMessage());
          } finally {
            inFlight.remove(p.getMetadata().getUid());
          }
          // an event that came while the write was in flight was skipped: look at the pod again
          Pod latest = done && ready ? workloads.cached(p) : null;
          if (latest != null
              && !Objects.equals(
                  latest.getMetadata().getResourceVersion(),
                  p.getMetadata().getResourceVersion())) {
            act(latest);
          }
        });
  }

  /**
   * The finalizer may go: the pod is over (finished, or deleted before it was bound to a node), and
   * either it never ran or its claim's outcome is durable (finished, or the claim is gone).
   */
  private boolean mayForget(Pod p, View v) {
    boolean deleting = p.getMetadata().getDeletionTimestamp() != null;
    boolean unbound = p.getSpec() == null || p.getSpec().getNodeName() == null;
    boolean over = Workloads.terminal(p) || (deleting && unbound);
    if (!over && !deleting) {
      return false;
    }
    boolean settled = v == null || v.finished();
    if (!Workloads.ran(p) && over) {
      return true;
    }
    return settled && (over || deleting);
  }

  private static boolean hasFinalizer(Pod p) {
    return p.getMetadata().getFinalizers() != null
        && p.getMetadata().getFinalizers().contains(DpfApi.FINALIZER_POD);
  }

  private static boolean reasonShown(Pod p, View v) {
    return p.getMetadata().getAnnotations() != null
        && Objects.equals(
            p.getMetadata().getAnnotations().get(DpfApi.ANNOTATION_GATE_REASON), why(p, v));
  }

  private static String why(Pod p, View v) {
    String claim = Workloads.claimKey(p);
    if (v.phase() == ClaimPhase.Denied) {
      return "claim "
          + claim
          + " was denied ("
          + v.reason()
          + "): "
          + v.message()
          + "; this pod stays gated: fix the claim and create a new one";
    }
    return "claim "
        + claim
        + " is already "
        + v.phase()
        + " and grants nothing more; this pod stays gated: point the label "
        + DpfApi.LABEL_CLAIM
        + " at a new claim";
  }

  // ---------------------------------------------------------------------------------------------
  // writes (on the pool)

  /** Removes our gate and adds the pod finalizer, in one patch based on the pod's version. */
  private boolean release(Pod seen) {
    Pod p = seen;
    for (int attempt = 0; attempt < 5; attempt++) {
      if (!Workloads.gated(p) || p.getMetadata().getDeletionTimestamp() != null) {
        return true;
      }
      View v = views.get(Workloads.claimKey(p));
      if (v == null || !v.releases()) {
        return true;
      }
      ArrayNode ops = guarded(p);
      List<PodSchedulingGate> gates = p.getSpec().getSchedulingGates();
      for (int i = 0; i < gates.size(); i++) {
        if (DpfApi.GATE_BUDGET.equals(gates.get(i).getName())) {
          ops.addObject().put("op", "remove").put("path", "/spec/schedulingGates/" + i);
          break;
        }
      }
      addFinalizer(p, ops);
      Pod r = patch(p, ops);
      if (r != null) {
        released.incrementAndGet();
        releaseListener.released(r, System.nanoTime());
        if (sendEvents) {
          events.normal(
              r,
              DpfApi.Reasons.BUDGET_GRANTED,
              "claim " + Workloads.claimKey(r) + " is Allocated: the budget gate is removed");
        }
        return true;
      }
      p = fresh(p);
      if (p == null) {
        return true;
      }
    }
    LOG.warn("pod {}: its gate could not be removed after 5 attempts", Api.key(seen));
    return false;
  }

  /** Says on the pod why it stays gated; deletes it with {@code --denied-pods=delete}. */
  private boolean refuse(Pod seen, View v) {
    String why = why(seen, v);
    if (deleteDenied) {
      try {
        client
            .pods()
            .inNamespace(seen.getMetadata().getNamespace())
            .withName(seen.getMetadata().getName())
            .delete();
        deleted.incrementAndGet();
      } catch (KubernetesClientException e) {
        if (e.getCode() != 404) {
          throw e;
        }
      }
      if (sendEvents) {
        events.warning(
            seen, DpfApi.Reasons.BUDGET_DENIED, why + " (deleted: --denied-pods=delete)");
      }
      return true;
    }
    Pod p = seen;
    for (int attempt = 0; attempt < 5 && p != null; attempt++) {
      ArrayNode ops = guarded(p);
      if (p.getMetadata().getAnnotations() == null) {
        ObjectNode a = NODES.objectNode().put(DpfApi.ANNOTATION_GATE_REASON, why);
        ops.addObject().put("op", "add").put("path", "/metadata/annotations").set("value", a);
      } else {
        ops.addObject()
            .put("op", "add")
            .put("path", "/metadata/annotations/" + pointer(DpfApi.ANNOTATION_GATE_REASON))
            .put("value", why);
      }
      Pod r = patch(p, ops);
      if (r != null) {
        marked.incrementAndGet();
        if (sendEvents) {
          events.warning(r, DpfApi.Reasons.BUDGET_DENIED, why);
        }
        return true;
      }
      p = fresh(p);
    }
    return p == null;
  }

  /** Removes the pod finalizer. */
  private boolean forget(Pod seen) {
    Pod p = seen;
    for (int attempt = 0; attempt < 5 && p != null; attempt++) {
      List<String> fs = p.getMetadata().getFinalizers();
      int i = fs == null ? -1 : fs.indexOf(DpfApi.FINALIZER_POD);
      if (i < 0) {
        return true;
      }
      ArrayNode ops = guarded(p);
      ops.addObject().put("op", "remove").put("path", "/metadata/finalizers/" + i);
      if (patch(p, ops) != null) {
        finalizersRemoved.incrementAndGet();
        return true;
      }
      p = fresh(p);
      if (p != null && !mayForget(p, views.get(Workloads.claimKey(p)))) {
        return true;
      }
    }
    return p == null;
  }

  /** A patch that applies only to the version {@code p} (a test on its resourceVersion). */
  private static ArrayNode guarded(Pod p) {
    ArrayNode ops = NODES.arrayNode();
    ops.addObject()
        .put("op", "test")
        .put("path", "/metadata/resourceVersion")
        .put("value", p.getMetadata().getResourceVersion());
    return ops;
  }

  private static void addFinalizer(Pod p, ArrayNode ops) {
    List<String> fs = p.getMetadata().getFinalizers();
    if (fs == null || fs.isEmpty()) {
      ops.addObject()
          .put("op", "add")
          .put("path", "/metadata/finalizers")
          .set("value", NODES.arrayNode().add(DpfApi.FINALIZER_POD));
    } else if (!fs.contains(DpfApi.FINALIZER_POD)) {
      ops.addObject()
          .put("op", "add")
          .put("path", "/metadata/finalizers/-")
          .put("value", DpfApi.FINALIZER_POD);
    }
  }

  /** The patched pod; null if the pod changed since it was read (409 or a failed test: 422). */
  private Pod patch(Pod p, ArrayNode ops) {
    try {
      return client
          .pods()
          .inNamespace(p.getMetadata().getNamespace())
          .withName(p.getMetadata().getName())
          .patch(PatchContext.of(PatchType.JSON), ops.toString());
    } catch (KubernetesClientException e) {
      if (e.getCode() == 409 || e.getCode() == 422) {
        return null;
      }
      if (e.getCode() == 404) {
        return null;
      }
      throw e;
    }
  }

  private Pod fresh(Pod p) {
    return client
        .pods()
        .inNamespace(p.getMetadata().getNamespace())
        .withName(p.getMetadata().getName())
        .get();
  }

  /** A JSON Pointer token (RFC 6901). */
  private static String pointer(String key) {
    return key.replace("~", "~0").replace("/", "~1");
  }

  @Override
  public void close() {
    ready = false;
    pool.shutdownNow();
  }
}
