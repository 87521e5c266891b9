package dev.privacy.dpf.operator.embedded;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.api.model.batch.v1.JobCondition;
import io.fabric8.kubernetes.client.NamespacedKubernetesClient;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The scheduler, kubelet and Job controller stand-ins of the embedded API server. */
class ClusterSimulatorTest {
  private final EmbeddedApiServer server =
      new EmbeddedApiServer(
              EmbeddedApiServer.Options.defaults()
                  .withSimulatedCluster(true)
                  .withPodRunTime(Duration.ofMillis(300)))
          .start();
  private final NamespacedKubernetesClient client = server.client();

  @AfterEach
  void stop() {
    client.close();
    server.close();
  }

  private Pod pod(String name, Map<String, String> annotations, boolean gated) {
    PodBuilder b =
        new PodBuilder()
            .withNewMetadata()
            .withName(name)
            .withNamespace("ml")
            .withAnnotations(annotations)
            .endMetadata()
            .withNewSpec()
            .addNewContainer()
            .withName("main")
            .withImage("busybox")
            .endContainer()
            .endSpec();
    if (gated) {
      b.editSpec().addNewSchedulingGate("dpf.privacy.dev/budget").endSpec();
    }
    return client.pods().resource(b.build()).create();
  }

  private Pod get(String name) {
    return client.pods().inNamespace("ml").withName(name).get();
  }

  private static String phase(Pod p) {
    return p == null || p.getStatus() == null ? null : p.getStatus().getPhase();
  }

  @Test
  void theNodeIsRegisteredAndReady() {
    var node = client.nodes().withName("embedded-node").get();
    assertThat(node).isNotNull();
    assertThat(node.getStatus().getConditions())
        .anySatisfy(
            c -> {
              assertThat(c.getType()).isEqualTo("Ready");
              assertThat(c.getStatus()).isEqualTo("True");
            });
  }

  @Test
  void anUngatedPodIsBoundRunsAndSucceeds() {
    pod("p", null, false);
    await().atMost(Duration.ofSeconds(10)).until(() -> "Succeeded".equals(phase(get("p"))));
    Pod p = get("p");
    assertThat(p.getSpec().getNodeName()).isEqualTo("embedded-node");
    assertThat(p.getStatus().getStartTime()).isNotNull();
    var cs = p.getStatus().getContainerStatuses();
    assertThat(cs).hasSize(1);
    assertThat(cs.get(0).getName()).isEqualTo("main");
    assertThat(cs.get(0).getState().getTerminated().getExitCode()).isZero();
    assertThat(cs.get(0).getState().getTerminated().getReason()).isEqualTo("Completed");
  }

  @Test
  void aPodRunsForItsAnnotatedTimeAndFailsWithANonZeroExitCode() {
    Instant t0 = Instant.now();
    pod(
        "slow",
        Map.of(ClusterSimulator.RUN_TIME, "1500ms", ClusterSimulator.EXIT_CODE, "3"),
        false);
    await()
        .atMost(Duration.ofSeconds(10))
        .until(() -> "Running".equals(phase(get("slow"))) || "Failed".equals(phase(get("slow"))));
    await().atMost(Duration.ofSeconds(10)).until(() -> "Failed".equals(phase(get("slow"))));
    assertThat(Duration.between(t0, Instant.now())).isGreaterThanOrEqualTo(Duration.ofMillis(1500));
    assertThat(
            get("slow")
                .getStatus()
                .getContainerStatuses()
                .get(0)
                .getState()
                .getTerminated()
                .getExitCode())
        .isEqualTo(3);
  }

  @Test
  void aGatedPodStaysUnscheduledUntilItsGateIsRemoved() {
    pod("g", null, true);
    await()
        .atMost(Duration.ofSeconds(10))
        .untilAsserted(
            () ->
                assertThat(get("g").getStatus().getConditions())
                    .anySatisfy(c -> assertThat(c.getReason()).isEqualTo("SchedulingGated")));
    Pod gated = get("g");
    assertThat(gated.getSpec().getNodeName()).isNull();
    assertThat(phase(gated)).isEqualTo("Pending");
    client
        .pods()
        .inNamespace("ml")
        .withName("g")
        .patch(
            PatchContext.of(PatchType.JSON),
            "[{\"op\":\"test\",\"path\":\"/spec/schedulingGates/0/name\",\"value\":\"dpf.privacy.dev/budget\"},"
                + "{\"op\":\"remove\",\"path\":\"/spec/schedulingGates/0\"}]");
    await().atMost(Duration.ofSeconds(10)).until(() -> "Succeeded".equals(phase(get("g"))));
    assertThat(get("g").getSpec().getNodeName()).isEqualTo("embedded-node");
  }

  private Job job(String yaml) {
    return client.resource(Serialization.<Job>unmarshal(yaml)).create();
  }

  private Job getJob(String name) {
    return client.batch().v1().jobs().inNamespace("ml").withName(name).get();
  }

  private static boolean condition(Job j, String type) {
    if (j == null || j.getStatus() == null || j.getStatus().getConditions() == null) {
      return false;
    }
    for (JobCondition c : j.getStatus().getConditions()) {
      if (type.equals(c.getType()) && "True".equals(c.getStatus())) {
        return true;
      }
    }
    return false;
  }

  private List<Pod> jobPods(String job) {
    return client.pods().inNamespace("ml").withLabel("job-name", job).list().getItems();
  }

  @Test
  void aJobRunsItsCompletionsWithItsParallelismAndCompletes() {
    Job j =
        job(
            "apiVersion: batch/v1\nkind: Job\nmetadata: {name: train, namespace: ml}\nspec:\n"
                + "  completions: 3\n  parallelism: 2\n  template:\n    metadata:\n      labels:"
                + " {dpf.privacy.dev/claim: c1}\n    spec:\n      restartPolicy: Never\n"
                + "      containers: [{name: trainer, image: python}]\n");
    await().atMost(Duration.ofSeconds(20)).until(() -> condition(getJob("train"), "Complete"));
    Job done = getJob("train");
    assertThat(done.getStatus().getSucceeded()).isEqualTo(3);
    assertThat(done.getStatus().getFailed()).isZero();
    assertThat(done.getStatus().getActive()).isZero();
    assertThat(done.getStatus().getStartTime()).isNotNull();
    assertThat(done.getStatus().getCompletionTime()).isNotNull();
    List<Pod> pods = jobPods("train");
    assertThat(pods).hasSize(3);
    for (Pod p : pods) {
      assertThat(p.getMetadata().getName()).matches("train-[a-z0-9]{5}");
      assertThat(p.getMetadata().getLabels()).containsEntry("dpf.privacy.dev/claim", "c1");
      var owner = p.getMetadata().getOwnerReferences().get(0);
      assertThat(owner.getKind()).isEqualTo("Job");
      assertThat(owner.getUid()).isEqualTo(j.getMetadata().getUid());
      assertThat(owner.getController()).isTrue();
      assertThat(phase(p)).isEqualTo("Succeeded");
    }
  }

  @Test
  void aJobWhosePodsFailIsRetriedUpToItsBackoffLimitThenFailed() {
    job(
        "apiVersion: batch/v1\nkind: Job\nmetadata: {name: crash, namespace: ml}\nspec:\n"
            + "  backoffLimit: 2\n  template:\n    metadata:\n      annotations: {"
            + ClusterSimulator.EXIT_CODE
            + ": \"1\", "
            + ClusterSimulator.RUN_TIME
            + ": 100ms}\n    spec:\n      restartPolicy: Never\n      containers: [{name: c, image:"
            + " busybox}]\n");
    await().atMost(Duration.ofSeconds(20)).until(() -> condition(getJob("crash"), "Failed"));
    Job failed = getJob("crash");
    assertThat(failed.getStatus().getFailed()).isEqualTo(3); // the first run and 2 retries
    assertThat(failed.getStatus().getSucceeded()).isZero();
    assertThat(condition(failed, "Complete")).isFalse();
    assertThat(jobPods("crash"))
        .hasSize(3)
        .allSatisfy(p -> assertThat(phase(p)).isEqualTo("Failed"));
  }

  @Test
  void aJobsPodsAreCreatedThroughAdmissionAndADeletedJobsPodsGo() throws Exception {
    try (TestWebhook hook = new TestWebhook()) {
      client
          .resource(
              (HasMetadata)
                  Serialization.unmarshal(
                      "apiVersion: admissionregistration.k8s.io/v1\nkind:"
                          + " MutatingWebhookConfiguration\nmetadata: {name: gate}\nwebhooks:\n"
                          + "- name: gate.test.dev\n  admissionReviewVersions: [v1]\n  sideEffects:"
                          + " None\n  clientConfig: {url: \""
                          + hook.url("/mutate")
                          + "\", caBundle: "
                          + hook.caBundle()
                          + "}\n  rules: [{operations: [CREATE], apiGroups: [\"\"], apiVersions:"
                          + " [v1], resources: [pods]}]\n"))
          .create();
      hook.decide(
          req ->
              TestWebhook.patch(
                  "[{\"op\":\"add\",\"path\":\"/spec/schedulingGates\",\"value\":[{\"name\":\"dpf.privacy.dev/budget\"}]}]"));
      job(
          "apiVersion: batch/v1\nkind: Job\nmetadata: {name: gated, namespace: ml}\nspec:\n"
              + "  template:\n    spec:\n      restartPolicy: Never\n      containers: [{name: c,"
              + " image: busybox}]\n");
      await().atMost(Duration.ofSeconds(10)).until(() -> jobPods("gated").size() == 1);
      Pod p = jobPods("gated").get(0);
      assertThat(p.getSpec().getSchedulingGates()).hasSize(1);
      assertThat(hook.requests).isNotEmpty();
      await()
          .atMost(Duration.ofSeconds(10))
          .ignoreExceptions()
          .untilAsserted(() -> assertThat(getJob("gated").getStatus().getActive()).isEqualTo(1));
      client.batch().v1().jobs().inNamespace("ml").withName("gated").delete();
      await().atMost(Duration.ofSeconds(10)).until(() -> jobPods("gated").isEmpty());
    }
  }
}
