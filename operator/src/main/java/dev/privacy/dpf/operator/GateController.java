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
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BooleanSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Releases the pods of Allocated claims: removes the budget gate {@code dpf.privacy.dev/budget}
 * (and only that gate) with a JSON Patch that also adds the pod finalizer and the claim's UID, so
 * that the pod cannot vanish before the operator has seen whether it ran, and is never counted for
 * another claim of the same name. A pod of a Denied or finished claim stays gated, with an
 * annotation and an Event that say why (a Denied claim's pods are deleted with {@code
 * --denied-pods=delete}). The finalizer goes once the pod is over and the claim's outcome is
 * durable.
 *
 * <p>A pod is released only on a claim status the API server returned (what the scheduler wrote or
 * read, or a fresh read when that is more than {@link #FRESH_NANOS} old) saying Allocated, with the
 * claim not being deleted, and not closed by the scheduler (which closes a claim before it decides
 * that it is finished): so never before the claim is Allocated (promise 4), and never after the
 * scheduler started to give its budget back. A write that fails is tried again with a backoff, and
 * every pod is looked at again every {@link #SWEEP_SECONDS} s. It runs on the leader only.
 */
final class GateController implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(GateController.class);
  private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

  /** A view older than this is read again from the API server before a pod is released on it. */
  static final long FRESH_NANOS = TimeUnit.MILLISECONDS.toNanos(500);

  static final long SWEEP_SECONDS = 30;

  /**
   * What is known of the claim a pod names.
   *
   * @param seenNanos when the API server returned this version
   */
  record View(
      String uid,
      long resourceVersion,
      ClaimPhase phase,
      String reason,
      String message,
      boolean deleting,
      long seenNanos) {
    boolean allocated() {
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
  private final ScheduledExecutorService timer;
  private final ConcurrentHashMap<String, View> views = new ConcurrentHashMap<>();
  private final Set<String> inFlight = ConcurrentHashMap.newKeySet();

  /** UIDs of claims the scheduler closed: none of their pods is released any more. */
  private final Set<String> closed = ConcurrentHashMap.newKeySet();

  /** Releases under way, per claim key (absent: none). */
  private final ConcurrentHashMap<String, Integer> releasing = new ConcurrentHashMap<>();

  /** Failed writes per pod UID, for the backoff of the next try. */
  private final Map<String, Integer> failures = new ConcurrentHashMap<>();

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
  final AtomicLong retries = new AtomicLong();

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
    this.timer =
        Executors.newSingleThreadScheduledExecutor(
            r -> {
              Thread t = new Thread(r, "dpf-gates-timer");
              t.setDaemon(true);
              return t;
            });
    timer.scheduleWithFixedDelay(this::sweep, SWEEP_SECONDS, SWEEP_SECONDS, TimeUnit.SECONDS);
    workloads.listen(this::pod);
  }

  void onRelease(ReleaseListener l) {
    this.releaseListener = l;
  }

  /** The claim as the API server returned it (written or read): its pods are acted on. */
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
    if (merged == v && v.allocated()) {
      releaseListener.allocated(key, System.nanoTime());
    }
    if (v.finished()) {
      closed.remove(v.uid()); // its phase says it now: nothing releases on it any more
    }
    if (ready && merged == v) {
      actOnPodsOf(c.getMetadata().getNamespace(), c.getMetadata().getName());
    }
  }

  /** The claim is gone (its finalizer removed): its finished pods may go too. */
  void claimGone(PrivacyClaim c) {
    String uid = c.getMetadata().getUid();
    views.computeIfPresent(Api.key(c), (k, v) -> Objects.equals(v.uid(), uid) ? null : v);
    closed.remove(uid);
    if (ready) {
      actOnPodsOf(c.getMetadata().getNamespace(), c.getMetadata().getName());
    }
  }

  /**
   * The scheduler is about to finish the claim: from now on none of its pods is released.
   *
   * @return whether no release of its pods is under way (else the scheduler must wait for it: its
   *     pod's next event comes once it landed)
   */
  boolean close(String key, String uid) {
    closed.add(uid); // first; a release counts itself in first, then checks: one sees the other
    return !releasing.containsKey(key);
  }

  /** The scheduler closed the claim but does not finish it after all. */
  void reopen(String namespace, String name, String uid) {
    if (closed.remove(uid) && ready) {
      actOnPodsOf(namespace, name);
    }
  }

  /** Every claim has been handed over ({@link #claim}): act on every pod once. */
  void ready() {
    ready = true;
    sweep();
  }

  /** Leadership lost: forget everything until the next rebuild. */
  void standby() {
    ready = false;
    views.clear();
    closed.clear();
    failures.clear();
  }

  private void sweep() {
    if (!ready) {
      return;
    }
    try {
      for (Pod p : workloads.allPods()) {
        act(p);
      }
    } catch (RuntimeException e) {
      LOG.warn("pod sweep: {}", e.getMessage());
    }
  }

  private void actOnPodsOf(String namespace, String name) {
    for (Pod p : workloads.pods(namespace, name)) {
      act(p);
    }
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
        c.getMetadata().getDeletionTimestamp() != null,
        System.nanoTime());
  }

  private void pod(Pod p) {
    if (ready) {
      act(p);
    }
  }

  /** Decides what a pod needs, and does it in the background (once at a time per pod). */
  private void act(Pod p) {
    View v = views.get(Workloads.claimKey(p));
    BooleanSupplier work = null;
    if (p.getMetadata().getDeletionTimestamp() == null && Workloads.gated(p)) {
      if (v != null && v.allocated() && !closed.contains(v.uid())) {
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
    BooleanSupplier w = work;
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
          if (done) {
            failures.remove(p.getMetadata().getUid());
            // an event that came while the write was in flight was skipped: look again
            Pod latest = ready ? workloads.cached(p) : null;
            if (latest != null
                && !Objects.equals(
                    latest.getMetadata().getResourceVersion(),
                    p.getMetadata().getResourceVersion())) {
              act(latest);
            }
          } else {
            retryLater(p);
          }
        });
  }

  /** Tries a pod again after a failed write: 1 s, 2 s, 4 s, ... at most 30 s later. */
  private void retryLater(Pod p) {
    int n = failures.merge(p.getMetadata().getUid(), 1, Integer::sum);
    if (failures.size() > 100_000) {
      failures.clear();
    }
    long delay = Math.min(30_000L, 1_000L << Math.min(n - 1, 5));
    retries.incrementAndGet();
    timer.schedule(
        () -> {
          Pod latest = ready ? workloads.cached(p) : null;
          if (latest != null) {
            act(latest);
          }
        },
        delay,
        TimeUnit.MILLISECONDS);
  }

  /**
   * The finalizer may go: the pod is over (finished, or deleted before it was bound to a node), and
   * either it never ran or its claim's outcome is durable (finished, or the claim it was released
   * for is gone).
   */
  private boolean mayForget(Pod p, View v) {
    boolean deleting = p.getMetadata().getDeletionTimestamp() != null;
    boolean unbound = p.getSpec() == null || p.getSpec().getNodeName() == null;
    boolean over = Workloads.terminal(p) || (deleting && unbound);
    if (!over && !deleting) {
      return false;
    }
    if (!Workloads.ran(p) && over) {
      return true;
    }
    String releasedFor =
        p.getMetadata().getAnnotations() == null
            ? null
            : p.getMetadata().getAnnotations().get(DpfApi.ANNOTATION_CLAIM_UID);
    boolean settled =
        v == null || v.finished() || (releasedFor != null && !releasedFor.equals(v.uid()));
    return settled;
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
          + "; this pod stays gated: fix the claim, create it under a new name, and create a new"
          + " pod or Job labelled with it";
    }
    return "claim "
        + claim
        + " is already "
        + v.phase()
        + " and grants nothing more; this pod stays gated: create a new claim, and a new pod or"
        + " Job labelled with it";
  }

  // ---------------------------------------------------------------------------------------------
  // writes (on the pool); each returns whether it is settled (false: try again later)

  /**
   * Removes our gate and adds the pod finalizer and the claim's UID, in one patch based on the
   * pod's version. Counted in {@link #releasing} first, then checked against {@link #closed}.
   */
  private boolean release(Pod seen) {
    String key = Workloads.claimKey(seen);
    releasing.merge(key, 1, Integer::sum);
    try {
      Pod p = seen;
      for (int attempt = 0; attempt < 5; attempt++) {
        if (!Workloads.gated(p) || p.getMetadata().getDeletionTimestamp() != null) {
          return true;
        }
        View v = freshView(key, p);
        if (v == null || !v.allocated() || closed.contains(v.uid())) {
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
        annotate(p, ops, DpfApi.ANNOTATION_CLAIM_UID, v.uid());
        Pod r = patch(p, ops);
        if (r != null) {
          released.incrementAndGet();
          releaseListener.released(r, System.nanoTime());
          if (sendEvents) {
            events.normal(
                r,
                DpfApi.Reasons.BUDGET_GRANTED,
                "claim " + key + " is Allocated: the budget gate is removed");
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
    } finally {
      releasing.compute(key, (k, n) -> n == null || n <= 1 ? null : n - 1);
    }
  }

  /**
   * The view of the pod's claim, read again from the API server if it is older than {@link
   * #FRESH_NANOS}: a claim deleted by hand, or written by another leader, is not released on.
   */
  private View freshView(String key, Pod p) {
    View v = views.get(key);
    if (v == null || System.nanoTime() - v.seenNanos() < FRESH_NANOS) {
      return v;
    }
    PrivacyClaim c =
        client
            .resources(PrivacyClaim.class)
            .inNamespace(p.getMetadata().getNamespace())
            .withName(p.getMetadata().getLabels().get(DpfApi.LABEL_CLAIM))
            .get();
    if (c == null) {
      views.remove(key, v);
      return null;
    }
    View now = viewOf(c);
    views.merge(
        key,
        now,
        (old, x) ->
            Objects.equals(old.uid(), x.uid()) && old.resourceVersion() > x.resourceVersion()
                ? old
                : x);
    return now;
  }

  /**
   * Says on the pod why it stays gated; deletes the pod of a Denied claim with {@code
   * --denied-pods=delete}.
   */
  private boolean refuse(Pod seen, View v) {
    String why = why(seen, v);
    if (deleteDenied && v.phase() == ClaimPhase.Denied) {
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
      annotate(p, ops, DpfApi.ANNOTATION_GATE_REASON, why);
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

  private static void annotate(Pod p, ArrayNode ops, String key, String value) {
    // an empty map may not be on the server at all (empty maps are often left out): replace it
    // whole (the test on the resourceVersion makes sure it is still empty)
    if (p.getMetadata().getAnnotations() == null || p.getMetadata().getAnnotations().isEmpty()) {
      ObjectNode a = NODES.objectNode().put(key, value);
      ops.addObject().put("op", "add").put("path", "/metadata/annotations").set("value", a);
    } else {
      ops.addObject()
          .put("op", "add")
          .put("path", "/metadata/annotations/" + pointer(key))
          .put("value", value);
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
      if (e.getCode() == 409 || e.getCode() == 422 || e.getCode() == 404) {
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
    timer.shutdownNow();
  }
}
