package dev.privacy.dpf.operator.embedded;

import io.fabric8.kubernetes.api.model.ContainerStatus;
import io.fabric8.kubernetes.api.model.ContainerStatusBuilder;
import io.fabric8.kubernetes.api.model.EventBuilder;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.api.model.OwnerReferenceBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.PodCondition;
import io.fabric8.kubernetes.api.model.PodConditionBuilder;
import io.fabric8.kubernetes.api.model.PodStatus;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.api.model.batch.v1.JobCondition;
import io.fabric8.kubernetes.api.model.batch.v1.JobConditionBuilder;
import io.fabric8.kubernetes.api.model.batch.v1.JobStatus;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A minimal stand-in for the parts of a cluster that the embedded API server lacks: the scheduler,
 * the kubelet of one node, the Job controller and the garbage collector of a Job's pods. It is a
 * client of the server like any controller, so every write goes through the server's normal path
 * (admission webhooks included).
 *
 * <ul>
 *   <li>Scheduler: a pod with no node and no scheduling gates is bound to the node ({@code
 *       spec.nodeName}, guarded by a {@code test} of its resourceVersion); a gated pod gets the
 *       condition {@code PodScheduled=False, reason SchedulingGated}.
 *   <li>Kubelet: a pod bound to the node becomes Running (start time, container statuses, Ready),
 *       then, after the pod run time, Succeeded (exit code 0) or Failed. The annotations {@value
 *       #RUN_TIME} (a duration such as {@code 500ms}) and {@value #EXIT_CODE} (non-zero: Failed)
 *       override that per pod, or per Job through its pod template.
 *   <li>Job controller ({@code batch/v1}): creates pods from the template ({@code <job>-<random>},
 *       the template's labels plus {@code job-name} and {@code controller-uid}, an owner reference
 *       with {@code controller: true}), keeps up to {@code parallelism} running until {@code
 *       completions} succeeded, replaces failed pods until more than {@code backoffLimit} failed
 *       (immediately: there is no back-off delay), and sets {@code active}/{@code succeeded}/{@code
 *       failed}, {@code startTime}/{@code completionTime} and the condition {@code Complete} or
 *       {@code Failed}. A deleted Job's pods are deleted.
 * </ul>
 *
 * All work runs on one thread, one event at a time.
 */
final class ClusterSimulator implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(ClusterSimulator.class);
  static final String RUN_TIME = "embedded.dpf.privacy.dev/run-time";
  static final String EXIT_CODE = "embedded.dpf.privacy.dev/exit-code";
  private static final String ALNUM = "bcdfghjklmnpqrstvwxz2456789";

  private final KubernetesClient client;
  private final String node;
  private final Duration runTime;
  private final ScheduledExecutorService exec =
      Executors.newSingleThreadScheduledExecutor(
          r -> {
            Thread t = new Thread(r, "embedded-cluster-simulator");
            t.setDaemon(true);
            return t;
          });
  private final SecureRandom random = new SecureRandom();
  private final Set<String> started = ConcurrentHashMap.newKeySet();

  /** Pods created for a Job (by uid) that the informer has not shown yet. */
  private final Map<String, Set<String>> expected = new HashMap<>();

  private SharedIndexInformer<Pod> pods;
  private SharedIndexInformer<Job> jobs;

  ClusterSimulator(KubernetesClient client, String node, Duration runTime) {
    this.client = client;
    this.node = node;
    this.runTime = runTime;
  }

  ClusterSimulator start() {
    if (client.nodes().withName(node).get() == null) {
      client
          .nodes()
          .resource(
              new NodeBuilder()
                  .withNewMetadata()
                  .withName(node)
                  .addToLabels("kubernetes.io/hostname", node)
                  .addToLabels("kubernetes.io/os", "linux")
                  .endMetadata()
                  .withNewStatus()
                  .addNewCondition()
                  .withType("Ready")
                  .withStatus("True")
                  .withReason("KubeletReady")
                  .withMessage("the embedded API server's simulated kubelet is ready")
                  .endCondition()
                  .addToCapacity("cpu", new Quantity("8"))
                  .addToCapacity("memory", new Quantity("32Gi"))
                  .addToCapacity("pods", new Quantity("110"))
                  .addToCapacity("nvidia.com/gpu", new Quantity("4"))
                  .addToAllocatable("cpu", new Quantity("8"))
                  .addToAllocatable("memory", new Quantity("32Gi"))
                  .addToAllocatable("pods", new Quantity("110"))
                  .addToAllocatable("nvidia.com/gpu", new Quantity("4"))
                  .withNewNodeInfo()
                  .withKubeletVersion("v1.32.0-dpf-embedded")
                  .withOperatingSystem("linux")
                  .withArchitecture("amd64")
                  .endNodeInfo()
                  .endStatus()
                  .build())
          .create();
    }
    pods = client.pods().inAnyNamespace().inform(handler(p -> exec.execute(() -> step(key(p)))), 0);
    jobs =
        client
            .batch()
            .v1()
            .jobs()
            .inAnyNamespace()
            .inform(handler(j -> exec.execute(() -> reconcile(key(j)))), 0);
    return this;
  }

  private static <T extends HasMetadata> ResourceEventHandler<T> handler(Consumer<T> on) {
    return new ResourceEventHandler<>() {
      @Override
      public void onAdd(T obj) {
        on.accept(obj);
      }

      @Override
      public void onUpdate(T oldObj, T newObj) {
        on.accept(newObj);
      }

      @Override
      public void onDelete(T obj, boolean deletedFinalStateUnknown) {
        on.accept(obj);
      }
    };
  }

  private static String key(HasMetadata o) {
    return o.getMetadata().getNamespace() + "/" + o.getMetadata().getName();
  }

  // ---- scheduler and kubelet

  private void step(String key) {
    try {
      Pod p = pods.getStore().getByKey(key);
      if (p == null) {
        return;
      }
      OwnerReference owner = controller(p);
      if (owner != null && "Job".equals(owner.getKind())) {
        reconcile(p.getMetadata().getNamespace() + "/" + owner.getName());
      }
      if (p.getMetadata().getDeletionTimestamp() != null || terminal(p)) {
        return;
      }
      String bound = p.getSpec() == null ? null : p.getSpec().getNodeName();
      boolean gated =
          p.getSpec() != null
              && p.getSpec().getSchedulingGates() != null
              && !p.getSpec().getSchedulingGates().isEmpty();
      if ((bound == null || bound.isEmpty()) && gated) {
        markGated(p);
      } else if (bound == null || bound.isEmpty()) {
        bind(p);
      } else if (bound.equals(node) && !started.contains(p.getMetadata().getUid())) {
        run(p);
      }
    } catch (KubernetesClientException e) {
      LOG.debug("simulator: pod {}: {}", key, e.getMessage());
    } catch (RuntimeException e) {
      LOG.warn("simulator: pod {} failed", key, e);
    }
  }

  private void markGated(Pod p) {
    PodStatus st = p.getStatus();
    if (st != null && st.getConditions() != null) {
      for (PodCondition c : st.getConditions()) {
        if ("PodScheduled".equals(c.getType()) && "SchedulingGated".equals(c.getReason())) {
          return;
        }
      }
    }
    Pod copy = new PodBuilder(p).build();
    PodStatus s = copy.getStatus() == null ? new PodStatus() : copy.getStatus();
    s.setPhase("Pending");
    List<PodCondition> conditions = new ArrayList<>();
    conditions.add(
        new PodConditionBuilder()
            .withType("PodScheduled")
            .withStatus("False")
            .withReason("SchedulingGated")
            .withMessage("Scheduling is blocked due to non-empty scheduling gates")
            .withLastTransitionTime(now())
            .build());
    s.setConditions(conditions);
    copy.setStatus(s);
    client.pods().resource(copy).updateStatus();
  }

  private void bind(Pod p) {
    String patch =
        "[{\"op\":\"test\",\"path\":\"/metadata/resourceVersion\",\"value\":\""
            + p.getMetadata().getResourceVersion()
            + "\"},{\"op\":\"add\",\"path\":\"/spec/nodeName\",\"value\":\""
            + node
            + "\"}]";
    try {
      client
          .pods()
          .inNamespace(p.getMetadata().getNamespace())
          .withName(p.getMetadata().getName())
          .patch(PatchContext.of(PatchType.JSON), patch);
      event(p, "Normal", "Scheduled", "Successfully assigned " + key(p) + " to " + node);
    } catch (KubernetesClientException e) {
      // changed meanwhile (422 on the test) or gone: the next event tells what to do
      LOG.debug("simulator: binding {}: {}", key(p), e.getMessage());
    }
  }

  private void run(Pod p) {
    String now = now();
    Pod copy = new PodBuilder(p).build();
    PodStatus s = new PodStatus();
    s.setPhase("Running");
    s.setStartTime(now);
    s.setHostIP("10.0.0.1");
    String ip = "10.244.0." + (2 + Math.floorMod(p.getMetadata().getUid().hashCode(), 250));
    s.setPodIP(ip);
    s.setConditions(
        List.of(
            condition("PodScheduled", "True", now),
            condition("Initialized", "True", now),
            condition("ContainersReady", "True", now),
            condition("Ready", "True", now)));
    List<ContainerStatus> cs = new ArrayList<>();
    for (var c : p.getSpec().getContainers()) {
      cs.add(
          new ContainerStatusBuilder()
              .withName(c.getName())
              .withImage(c.getImage())
              .withImageID("")
              .withContainerID("embedded://" + p.getMetadata().getUid() + "/" + c.getName())
              .withReady(true)
              .withStarted(true)
              .withRestartCount(0)
              .withNewState()
              .withNewRunning()
              .withStartedAt(now)
              .endRunning()
              .endState()
              .build());
    }
    s.setContainerStatuses(cs);
    copy.setStatus(s);
    client.pods().resource(copy).updateStatus();
    started.add(p.getMetadata().getUid());
    Duration d = runTime(p);
    String uid = p.getMetadata().getUid();
    exec.schedule(() -> finish(key(p), uid, 0), d.toMillis(), TimeUnit.MILLISECONDS);
  }

  private Duration runTime(Pod p) {
    String v = annotation(p, RUN_TIME);
    if (v == null) {
      return runTime;
    }
    try {
      return Durations.parse(v);
    } catch (IllegalArgumentException e) {
      LOG.warn("simulator: pod {}: annotation {}: {}", key(p), RUN_TIME, e.getMessage());
      return runTime;
    }
  }

  private void finish(String key, String uid, int attempt) {
    try {
      String[] nn = key.split("/", 2);
      Pod p = client.pods().inNamespace(nn[0]).withName(nn[1]).get();
      if (p == null
          || !uid.equals(p.getMetadata().getUid())
          || terminal(p)
          || p.getMetadata().getDeletionTimestamp() != null) {
        return;
      }
      int exit = 0;
      String code = annotation(p, EXIT_CODE);
      if (code != null) {
        try {
          exit = Integer.parseInt(code.trim());
        } catch (NumberFormatException e) {
          LOG.warn("simulator: pod {}: annotation {} is not a number: {}", key, EXIT_CODE, code);
        }
      }
      String now = now();
      PodStatus s = p.getStatus() == null ? new PodStatus() : p.getStatus();
      s.setPhase(exit == 0 ? "Succeeded" : "Failed");
      List<PodCondition> conditions = new ArrayList<>();
      conditions.add(condition("PodScheduled", "True", now));
      conditions.add(condition("Initialized", "True", now));
      PodCondition notReady = condition("ContainersReady", "False", now);
      notReady.setReason("PodCompleted");
      conditions.add(notReady);
      PodCondition ready = condition("Ready", "False", now);
      ready.setReason("PodCompleted");
      conditions.add(ready);
      s.setConditions(conditions);
      List<ContainerStatus> cs = new ArrayList<>();
      for (ContainerStatus c :
          s.getContainerStatuses() == null
              ? List.<ContainerStatus>of()
              : s.getContainerStatuses()) {
        String startedAt =
            c.getState() != null && c.getState().getRunning() != null
                ? c.getState().getRunning().getStartedAt()
                : s.getStartTime();
        cs.add(
            new ContainerStatusBuilder(c)
                .withReady(false)
                .withStarted(false)
                .withNewState()
                .withNewTerminated()
                .withExitCode(exit)
                .withReason(exit == 0 ? "Completed" : "Error")
                .withStartedAt(startedAt)
                .withFinishedAt(now)
                .withContainerID(c.getContainerID())
                .endTerminated()
                .endState()
                .build());
      }
      s.setContainerStatuses(cs);
      p.setStatus(s);
      client.pods().resource(p).updateStatus();
      started.remove(uid);
    } catch (KubernetesClientException e) {
      if (attempt < 10) { // a conflict with another writer: read again and retry
        exec.schedule(() -> finish(key, uid, attempt + 1), 100, TimeUnit.MILLISECONDS);
      } else {
        LOG.warn("simulator: cannot finish pod {}: {}", key, e.getMessage());
      }
    }
  }

  // ---- Job controller

  private void reconcile(String key) {
    try {
      Job j = jobs.getStore().getByKey(key);
      if (j == null) {
        collect(key);
        return;
      }
      if (finished(j) || Boolean.TRUE.equals(j.getSpec().getSuspend())) {
        return;
      }
      String uid = j.getMetadata().getUid();
      List<Pod> owned = new ArrayList<>();
      for (Pod p : pods.getStore().list()) {
        OwnerReference o = controller(p);
        if (o != null && uid.equals(o.getUid())) {
          owned.add(p);
        }
      }
      Set<String> waiting = expected.computeIfAbsent(uid, k -> new HashSet<>());
      owned.forEach(p -> waiting.remove(p.getMetadata().getName()));
      int succeeded = 0;
      int failed = 0;
      int active = waiting.size();
      for (Pod p : owned) {
        String phase = p.getStatus() == null ? null : p.getStatus().getPhase();
        if ("Succeeded".equals(phase)) {
          succeeded++;
        } else if ("Failed".equals(phase)) {
          failed++;
        } else if (p.getMetadata().getDeletionTimestamp() == null) {
          active++;
        }
      }
      int completions = orDefault(j.getSpec().getCompletions(), 1);
      int parallelism = orDefault(j.getSpec().getParallelism(), 1);
      int backoffLimit = orDefault(j.getSpec().getBackoffLimit(), 6);
      JobStatus st = j.getStatus() == null ? new JobStatus() : j.getStatus();
      JobStatus next = new JobStatus();
      Runnable after = () -> {};
      next.setStartTime(st.getStartTime() == null ? now() : st.getStartTime());
      next.setConditions(
          st.getConditions() == null ? new ArrayList<>() : new ArrayList<>(st.getConditions()));
      if (failed > backoffLimit) {
        for (Pod p : owned) {
          if (!terminal(p)) {
            client.pods().resource(p).delete();
          }
        }
        active = 0;
        next.getConditions().add(jobCondition("FailureTarget", "BackoffLimitExceeded"));
        next.getConditions().add(jobCondition("Failed", "BackoffLimitExceeded"));
        after =
            () ->
                event(
                    j,
                    "Warning",
                    "BackoffLimitExceeded",
                    "Job has reached the specified backoff limit");
      } else if (succeeded >= completions) {
        next.setCompletionTime(now());
        next.getConditions().add(jobCondition("SuccessCriteriaMet", "CompletionsReached"));
        next.getConditions().add(jobCondition("Complete", "CompletionsReached"));
        after = () -> event(j, "Normal", "Completed", "Job completed");
      } else {
        int want = Math.min(parallelism, completions - succeeded) - active;
        for (int i = 0; i < want; i++) {
          String name = createPod(j);
          if (name == null) {
            exec.schedule(() -> reconcile(key), 5, TimeUnit.SECONDS);
            break;
          }
          waiting.add(name);
          active++;
        }
      }
      next.setActive(active);
      next.setSucceeded(succeeded);
      next.setFailed(failed);
      next.setReady(0);
      next.setTerminating(0);
      if (!Objects.equals(comparable(next), comparable(st))) {
        Job copy = new io.fabric8.kubernetes.api.model.batch.v1.JobBuilder(j).build();
        copy.setStatus(next);
        client.batch().v1().jobs().resource(copy).updateStatus();
        after.run(); // events only once the status they report is written
      }
    } catch (KubernetesClientException e) {
      // a conflict: the Job's next event brings it back here
      LOG.debug("simulator: job {}: {}", key, e.getMessage());
      if (e.getCode() == 409) {
        exec.schedule(() -> reconcile(key), 200, TimeUnit.MILLISECONDS);
      }
    } catch (RuntimeException e) {
      LOG.warn("simulator: job {} failed", key, e);
    }
  }

  /** What of a Job status decides whether to write it (timestamps of conditions aside). */
  private static List<Object> comparable(JobStatus s) {
    List<String> types = new ArrayList<>();
    if (s.getConditions() != null) {
      s.getConditions().forEach(c -> types.add(c.getType() + "=" + c.getStatus()));
    }
    return List.of(
        String.valueOf(s.getActive()),
        String.valueOf(s.getSucceeded()),
        String.valueOf(s.getFailed()),
        String.valueOf(s.getStartTime()),
        types);
  }

  private String createPod(Job j) {
    var template = j.getSpec().getTemplate();
    Map<String, String> labels = new LinkedHashMap<>();
    if (template.getMetadata() != null && template.getMetadata().getLabels() != null) {
      labels.putAll(template.getMetadata().getLabels());
    }
    String jobName = j.getMetadata().getName();
    String uid = j.getMetadata().getUid();
    labels.put("batch.kubernetes.io/job-name", jobName);
    labels.put("job-name", jobName);
    labels.put("batch.kubernetes.io/controller-uid", uid);
    labels.put("controller-uid", uid);
    StringBuilder suffix = new StringBuilder();
    for (int i = 0; i < 5; i++) {
      suffix.append(ALNUM.charAt(random.nextInt(ALNUM.length())));
    }
    String name = jobName + "-" + suffix;
    Pod pod =
        new PodBuilder()
            .withNewMetadata()
            .withName(name)
            .withNamespace(j.getMetadata().getNamespace())
            .withLabels(labels)
            .withAnnotations(
                template.getMetadata() == null ? null : template.getMetadata().getAnnotations())
            .withOwnerReferences(
                new OwnerReferenceBuilder()
                    .withApiVersion("batch/v1")
                    .withKind("Job")
                    .withName(jobName)
                    .withUid(uid)
                    .withController(true)
                    .withBlockOwnerDeletion(true)
                    .build())
            .endMetadata()
            .withSpec(template.getSpec())
            .build();
    try {
      client.pods().resource(pod).create();
      event(j, "Normal", "SuccessfulCreate", "Created pod: " + name);
      return name;
    } catch (KubernetesClientException e) {
      String why = e.getStatus() != null ? e.getStatus().getMessage() : e.getMessage();
      LOG.info("simulator: job {} cannot create a pod: {}", key(j), why);
      event(j, "Warning", "FailedCreate", "Error creating: " + why);
      return null;
    }
  }

  /** The garbage collector's part: a deleted Job's pods go too. */
  private void collect(String jobKey) {
    String[] nn = jobKey.split("/", 2);
    for (Pod p : pods.getStore().list()) {
      OwnerReference o = controller(p);
      if (o != null
          && "Job".equals(o.getKind())
          && nn[1].equals(o.getName())
          && nn[0].equals(p.getMetadata().getNamespace())) {
        try {
          client.pods().resource(p).delete();
        } catch (KubernetesClientException e) {
          LOG.debug("simulator: deleting {}: {}", key(p), e.getMessage());
        }
      }
    }
  }

  private static boolean finished(Job j) {
    if (j.getStatus() == null || j.getStatus().getConditions() == null) {
      return false;
    }
    for (JobCondition c : j.getStatus().getConditions()) {
      if (("Complete".equals(c.getType()) || "Failed".equals(c.getType()))
          && "True".equals(c.getStatus())) {
        return true;
      }
    }
    return false;
  }

  private static JobCondition jobCondition(String type, String reason) {
    String now = now();
    return new JobConditionBuilder()
        .withType(type)
        .withStatus("True")
        .withReason(reason)
        .withLastProbeTime(now)
        .withLastTransitionTime(now)
        .build();
  }

  // ---- helpers

  private void event(HasMetadata about, String type, String reason, String message) {
    try {
      String now = now();
      client
          .v1()
          .events()
          .inNamespace(about.getMetadata().getNamespace())
          .resource(
              new EventBuilder()
                  .withNewMetadata()
                  .withName(
                      about.getMetadata().getName() + "." + Long.toHexString(System.nanoTime()))
                  .withNamespace(about.getMetadata().getNamespace())
                  .endMetadata()
                  .withNewInvolvedObject()
                  .withApiVersion(about.getApiVersion())
                  .withKind(about.getKind())
                  .withName(about.getMetadata().getName())
                  .withNamespace(about.getMetadata().getNamespace())
                  .withUid(about.getMetadata().getUid())
                  .endInvolvedObject()
                  .withType(type)
                  .withReason(reason)
                  .withMessage(message)
                  .withCount(1)
                  .withFirstTimestamp(now)
                  .withLastTimestamp(now)
                  .withNewSource()
                  .withComponent(about instanceof Job ? "job-controller" : "embedded-scheduler")
                  .endSource()
                  .build())
          .create();
    } catch (KubernetesClientException e) {
      LOG.debug("simulator: event {}: {}", reason, e.getMessage());
    }
  }

  private static OwnerReference controller(HasMetadata o) {
    return io.fabric8.kubernetes.client.utils.KubernetesResourceUtil.getControllerUid(o);
  }

  private static boolean terminal(Pod p) {
    String phase = p.getStatus() == null ? null : p.getStatus().getPhase();
    return "Succeeded".equals(phase) || "Failed".equals(phase);
  }

  private static String annotation(HasMetadata o, String key) {
    Map<String, String> a = o.getMetadata().getAnnotations();
    return a == null ? null : a.get(key);
  }

  private static PodCondition condition(String type, String status, String now) {
    return new PodConditionBuilder()
        .withType(type)
        .withStatus(status)
        .withLastTransitionTime(now)
        .build();
  }

  private static int orDefault(Integer v, int d) {
    return v == null ? d : v;
  }

  private static String now() {
    return Instant.now().truncatedTo(ChronoUnit.SECONDS).toString();
  }

  @Override
  public void close() {
    if (pods != null) {
      pods.close();
    }
    if (jobs != null) {
      jobs.close();
    }
    exec.shutdownNow();
    client.close();
  }
}
