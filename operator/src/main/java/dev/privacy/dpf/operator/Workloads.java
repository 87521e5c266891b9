package dev.privacy.dpf.operator;

import dev.privacy.dpf.crds.DpfApi;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.api.model.batch.v1.JobCondition;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import io.fabric8.kubernetes.client.utils.KubernetesResourceUtil;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The pods bound to claims (label {@code dpf.privacy.dev/claim}) and the Jobs that own them, kept
 * by informers. The gate controller releases these pods; the scheduler reads them to tell whether a
 * claim's workload has finished (Consumed), never ran (Released) or may still run.
 */
final class Workloads implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(Workloads.class);
  private static final String BY_CLAIM = "claim";
  private static final String BY_OWNER = "owner";

  /** Condition types by which a controller other than a Job says its workload is over. */
  private static final Set<String> DONE_CONDITIONS =
      Set.of("Complete", "Completed", "Succeeded", "Failed");

  /** A Job that could not be read: its claim waits (never a guess that it is over). */
  private static final String UNKNOWN = "could not be read";

  /**
   * What the pods of one claim tell.
   *
   * @param pods how many pods are bound to the claim
   * @param ran one of them started (it may have read the data)
   * @param mayStart one of them is released (no budget gate), not finished, and could still start
   * @param finished the workload is over: every owning controller reports completion or failure (or
   *     is gone), and every pod without a controller has finished
   * @param polled the answer rests on a look-up that no event announces (a non-Job owner)
   * @param summary what happened, in words, for the claim's message
   * @param mayStartPods the names of the pods that may still start (at most a few)
   */
  record Verdict(
      int pods,
      boolean ran,
      boolean mayStart,
      boolean finished,
      boolean polled,
      String summary,
      List<String> mayStartPods) {}

  private final KubernetesClient client;
  private final Set<String> namespaces;
  private final List<SharedIndexInformer<Pod>> podInformers = new ArrayList<>();
  private final List<SharedIndexInformer<Job>> jobInformers = new ArrayList<>();
  private final List<Consumer<Pod>> listeners = new CopyOnWriteArrayList<>();
  private final Map<String, long[]> ownerAnswers = new ConcurrentHashMap<>();
  private final Set<String> ownerWarned = ConcurrentHashMap.newKeySet();

  /** How long the answer of a look-up of a non-Job owner is reused. */
  private final long ownerTtlNanos;

  /**
   * @param ownerTtl how long the answer of a look-up of a non-Job owner is reused (the scheduler
   *     asks again each resync period)
   */
  Workloads(KubernetesClient client, Set<String> namespaces, Duration ownerTtl) {
    this.client = client;
    this.namespaces = namespaces;
    this.ownerTtlNanos = ownerTtl.toNanos();
  }

  /** {@code l} hears of every change of a bound pod, and of each pod of a Job that changed. */
  void listen(Consumer<Pod> l) {
    listeners.add(l);
  }

  /** Starts the informers (pods with the claim label, and Jobs). */
  synchronized Workloads start() {
    if (!podInformers.isEmpty()) {
      return this;
    }
    List<String> scopes = namespaces.isEmpty() ? java.util.Collections.singletonList(null) : null;
    for (String ns : scopes != null ? scopes : List.copyOf(namespaces)) {
      SharedIndexInformer<Pod> pods =
          (ns == null ? client.pods().inAnyNamespace() : client.pods().inNamespace(ns))
              .withLabel(DpfApi.LABEL_CLAIM)
              .runnableInformer(0);
      pods.addIndexers(
          Map.of(
              BY_CLAIM, p -> List.of(claimKey(p)),
              BY_OWNER, p -> controller(p) == null ? List.of() : List.of(controller(p).getUid())));
      pods.addEventHandler(
          new ResourceEventHandler<>() {
            @Override
            public void onAdd(Pod p) {
              tell(p);
            }

            @Override
            public void onUpdate(Pod old, Pod p) {
              tell(p);
            }

            @Override
            public void onDelete(Pod p, boolean finalStateUnknown) {
              tell(p);
            }
          });
      podInformers.add(pods);
      SharedIndexInformer<Job> jobs =
          (ns == null
                  ? client.batch().v1().jobs().inAnyNamespace()
                  : client.batch().v1().jobs().inNamespace(ns))
              .runnableInformer(0);
      jobs.addEventHandler(
          new ResourceEventHandler<>() {
            @Override
            public void onAdd(Job j) {
              podsOfOwner(j.getMetadata().getUid()).forEach(Workloads.this::tell);
            }

            @Override
            public void onUpdate(Job old, Job j) {
              podsOfOwner(j.getMetadata().getUid()).forEach(Workloads.this::tell);
            }

            @Override
            public void onDelete(Job j, boolean finalStateUnknown) {
              podsOfOwner(j.getMetadata().getUid()).forEach(Workloads.this::tell);
            }
          });
      jobInformers.add(jobs);
    }
    podInformers.forEach(SharedIndexInformer::start);
    jobInformers.forEach(SharedIndexInformer::start);
    return this;
  }

  private void tell(Pod p) {
    for (Consumer<Pod> l : listeners) {
      try {
        l.accept(p);
      } catch (RuntimeException e) {
        LOG.warn("pod {}: listener failed", Api.key(p), e);
      }
    }
  }

  /** Whether every informer has listed its objects once. */
  boolean synced() {
    return !podInformers.isEmpty()
        && podInformers.stream().allMatch(SharedIndexInformer::hasSynced)
        && jobInformers.stream().allMatch(SharedIndexInformer::hasSynced);
  }

  /** Waits until {@link #synced()}, at most {@code max}. */
  void awaitSynced(Duration max) throws InterruptedException {
    long end = System.nanoTime() + max.toNanos();
    while (!synced()) {
      if (System.nanoTime() > end) {
        throw new IllegalStateException(
            "the pod and Job informers did not list their objects within "
                + max
                + ": the operator needs list and watch on pods and on batch/v1 jobs"
                + " (docs/operations.md)");
      }
      Thread.sleep(20);
    }
  }

  /** The pods bound to claim {@code namespace/name}. */
  List<Pod> pods(String namespace, String name) {
    String key = namespace + "/" + name;
    List<Pod> out = new ArrayList<>();
    for (SharedIndexInformer<Pod> i : podInformers) {
      out.addAll(i.getIndexer().byIndex(BY_CLAIM, key));
    }
    return out;
  }

  /** The informer's latest copy of {@code p}, or null if it is gone. */
  Pod cached(Pod p) {
    String key = p.getMetadata().getNamespace() + "/" + p.getMetadata().getName();
    for (SharedIndexInformer<Pod> i : podInformers) {
      Pod c = i.getIndexer().getByKey(key);
      if (c != null) {
        return c;
      }
    }
    return null;
  }

  /** Every bound pod. */
  List<Pod> allPods() {
    List<Pod> out = new ArrayList<>();
    for (SharedIndexInformer<Pod> i : podInformers) {
      out.addAll(i.getIndexer().list());
    }
    return out;
  }

  private List<Pod> podsOfOwner(String uid) {
    List<Pod> out = new ArrayList<>();
    for (SharedIndexInformer<Pod> i : podInformers) {
      out.addAll(i.getIndexer().byIndex(BY_OWNER, uid));
    }
    return out;
  }

  /**
   * How the Job that owns pods ended: "completed", "failed", "is gone", or null while it runs;
   * {@link #UNKNOWN} if it cannot be read. A Job the cache does not hold, or holds under another
   * UID (a pod's event can come before its Job's; {@code kubectl replace --force} re-creates it),
   * is read from the API server, so that "gone" is never a guess.
   */
  private String jobEnd(String namespace, OwnerReference o) {
    Job j = null;
    for (SharedIndexInformer<Job> i : jobInformers) {
      j = i.getIndexer().getByKey(namespace + "/" + o.getName());
      if (j != null) {
        break;
      }
    }
    if (j == null || !Objects.equals(j.getMetadata().getUid(), o.getUid())) {
      try {
        j = client.batch().v1().jobs().inNamespace(namespace).withName(o.getName()).get();
      } catch (KubernetesClientException e) {
        if (ownerWarned.add("Job/" + o.getUid())) {
          LOG.warn(
              "cannot read Job {}/{} ({}): its claim waits; the operator needs get on jobs",
              namespace,
              o.getName(),
              e.getMessage());
        }
        return UNKNOWN;
      }
    }
    if (j == null || !Objects.equals(j.getMetadata().getUid(), o.getUid())) {
      return "is gone";
    }
    return jobEnd(j);
  }

  /**
   * What the pods of claim {@code namespace/name} (UID {@code uid}) tell, from the informers (see
   * {@link Verdict}).
   */
  Verdict verdict(String namespace, String name, String uid) {
    return verdict(namespace, pods(namespace, name), uid);
  }

  /**
   * What {@code all} (the pods labelled with a claim, from the informers or a fresh list) tell of
   * the claim with UID {@code uid}. A pod released for another incarnation of the claim (another
   * UID under the same name) is not its pod.
   */
  Verdict verdict(String namespace, List<Pod> all, String uid) {
    List<Pod> pods = new ArrayList<>();
    for (Pod p : all) {
      String releasedFor =
          p.getMetadata().getAnnotations() == null
              ? null
              : p.getMetadata().getAnnotations().get(DpfApi.ANNOTATION_CLAIM_UID);
      if (releasedFor == null || releasedFor.equals(uid)) {
        pods.add(p);
      }
    }
    boolean ran = false;
    List<String> mayStart = new ArrayList<>();
    int bare = 0;
    int bareDone = 0;
    Map<String, List<Pod>> byOwner = new LinkedHashMap<>();
    Map<String, OwnerReference> owners = new LinkedHashMap<>();
    for (Pod p : pods) {
      ran |= ran(p);
      if (mayStart(p) && mayStart.size() < 5) {
        mayStart.add(p.getMetadata().getName());
      }
      OwnerReference o = controller(p);
      if (o == null) {
        bare++;
        bareDone += terminal(p) ? 1 : 0;
      } else {
        byOwner.computeIfAbsent(o.getUid(), k -> new ArrayList<>()).add(p);
        owners.putIfAbsent(o.getUid(), o);
      }
    }
    if (pods.isEmpty()) {
      return new Verdict(0, false, false, false, false, "no pod is bound to it", List.of());
    }
    boolean finished = bare == bareDone;
    boolean polled = false;
    List<String> said = new ArrayList<>();
    if (bare > 0) {
      said.add(bareDone + " of its " + bare + " pod(s) without a controller finished");
    }
    for (Map.Entry<String, OwnerReference> e : owners.entrySet()) {
      OwnerReference o = e.getValue();
      String what = o.getKind() + " " + namespace + "/" + o.getName();
      if ("Job".equals(o.getKind()) && o.getApiVersion().startsWith("batch/")) {
        String end = jobEnd(namespace, o);
        finished &= end != null && !UNKNOWN.equals(end);
        said.add(what + (end == null ? " is running" : " " + end));
      } else {
        polled = true;
        boolean allDone = byOwner.get(e.getKey()).stream().allMatch(Workloads::terminal);
        boolean done = allDone && otherOwnerDone(namespace, o);
        finished &= done;
        said.add(what + (done ? " finished" : " has not reported that it finished"));
      }
    }
    return new Verdict(
        pods.size(),
        ran,
        !mayStart.isEmpty(),
        finished,
        polled,
        String.join("; ", said),
        List.copyOf(mayStart));
  }

  /** "completed" or "failed" once a Job says so, else null. */
  private static String jobEnd(Job j) {
    if (j.getStatus() == null || j.getStatus().getConditions() == null) {
      return null;
    }
    for (JobCondition c : j.getStatus().getConditions()) {
      if ("True".equals(c.getStatus())) {
        if ("Complete".equals(c.getType())) {
          return "completed";
        }
        if ("Failed".equals(c.getType())) {
          return "failed";
        }
      }
    }
    return null;
  }

  /**
   * Whether an owner that is not a Job is gone or reports completion or failure in a condition
   * (Complete, Completed, Succeeded, Failed). Looked up through the API, its answer kept briefly.
   */
  private boolean otherOwnerDone(String namespace, OwnerReference o) {
    long now = System.nanoTime();
    long[] cached = ownerAnswers.get(o.getUid());
    if (cached != null && now - cached[1] < ownerTtlNanos) {
      return cached[0] == 1;
    }
    boolean done;
    try {
      GenericKubernetesResource r =
          client
              .genericKubernetesResources(o.getApiVersion(), o.getKind())
              .inNamespace(namespace)
              .withName(o.getName())
              .get();
      done =
          r == null
              || !Objects.equals(r.getMetadata().getUid(), o.getUid())
              || reportsDone(r.getAdditionalProperties().get("status"));
    } catch (KubernetesClientException | IllegalArgumentException e) {
      if (ownerWarned.add(o.getKind())) {
        LOG.warn(
            "cannot read {} {}/{} ({}): claims of pods it owns finish when it is gone, when the"
                + " job reports spec.spent, or when the claim is deleted",
            o.getKind(),
            namespace,
            o.getName(),
            e.getMessage());
      }
      done = false;
    }
    if (ownerAnswers.size() > 10_000) {
      ownerAnswers.clear();
    }
    ownerAnswers.put(o.getUid(), new long[] {done ? 1 : 0, now});
    return done;
  }

  private static boolean reportsDone(Object status) {
    if (!(status instanceof Map<?, ?> s) || !(s.get("conditions") instanceof List<?> cs)) {
      return false;
    }
    for (Object c : cs) {
      if (c instanceof Map<?, ?> m
          && "True".equals(m.get("status"))
          && DONE_CONDITIONS.contains(String.valueOf(m.get("type")))) {
        return true;
      }
    }
    return false;
  }

  /** {@code namespace/claim} of a bound pod. */
  static String claimKey(Pod p) {
    return p.getMetadata().getNamespace()
        + "/"
        + p.getMetadata().getLabels().getOrDefault(DpfApi.LABEL_CLAIM, "");
  }

  static OwnerReference controller(Pod p) {
    return KubernetesResourceUtil.getControllerUid(p); // the owner reference with controller: true
  }

  /** The pod started: the kubelet took it (start time), or it runs or ran. */
  static boolean ran(Pod p) {
    return p.getStatus() != null
        && (p.getStatus().getStartTime() != null
            || "Running".equals(p.getStatus().getPhase())
            || "Succeeded".equals(p.getStatus().getPhase()));
  }

  static boolean terminal(Pod p) {
    return p.getStatus() != null
        && ("Succeeded".equals(p.getStatus().getPhase())
            || "Failed".equals(p.getStatus().getPhase()));
  }

  static boolean gated(Pod p) {
    return p.getSpec() != null
        && p.getSpec().getSchedulingGates() != null
        && p.getSpec().getSchedulingGates().stream()
            .anyMatch(g -> DpfApi.GATE_BUDGET.equals(g.getName()));
  }

  /**
   * Released (not gated by us), not finished, and not a deleted pod that was never bound to a node:
   * it could still start.
   */
  static boolean mayStart(Pod p) {
    boolean unbound = p.getSpec() == null || p.getSpec().getNodeName() == null;
    return !gated(p)
        && !terminal(p)
        && !(p.getMetadata().getDeletionTimestamp() != null && unbound);
  }

  @Override
  public synchronized void close() {
    podInformers.forEach(SharedIndexInformer::close);
    jobInformers.forEach(SharedIndexInformer::close);
    podInformers.clear();
    jobInformers.clear();
  }
}
