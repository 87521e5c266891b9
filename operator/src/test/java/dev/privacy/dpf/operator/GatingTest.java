package dev.privacy.dpf.operator;

import static dev.privacy.dpf.operator.TestCluster.block;
import static dev.privacy.dpf.operator.TestCluster.claim;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.privacy.dpf.crds.ClaimPhase;
import dev.privacy.dpf.crds.DpfApi;
import dev.privacy.dpf.crds.PrivacyClaim;
import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.PodSchedulingGate;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.api.model.batch.v1.JobBuilder;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Pod gating through the API server: the gate controller releases the pods of an Allocated claim
 * (only its own gate, all pods together, later pods at once), keeps those of a Denied claim gated
 * with the reason, and the claim is Consumed when its workload is over (a Job's completion or
 * failure, or every bare pod finished), or Released when none of its pods ran. Pods carry the gate
 * themselves here, as without the webhook.
 */
class GatingTest {
  final TestCluster k = new TestCluster();

  @AfterEach
  void close() {
    k.close();
  }

  private void basicBlock(String name, double eps) {
    k.create(block("ml", name, "clicks", eps, "  accounting: Basic\n"));
  }

  private void eps(String name, double eps) {
    k.create(claim("ml", name, "{dataset: clicks}", "{epsDelta: {epsilon: " + eps + "}}", ""));
  }

  /** A pod naming {@code claim}, gated by us and by another controller; owned by {@code job}. */
  private Pod pod(String name, String claim, Job job) {
    PodBuilder b =
        new PodBuilder()
            .withNewMetadata()
            .withName(name)
            .withNamespace("ml")
            .addToLabels(DpfApi.LABEL_CLAIM, claim)
            .endMetadata()
            .withNewSpec()
            .addNewSchedulingGate("example.com/quota")
            .addNewSchedulingGate(DpfApi.GATE_BUDGET)
            .addNewContainer()
            .withName("trainer")
            .withImage("trainer")
            .endContainer()
            .endSpec();
    if (job != null) {
      b.editMetadata()
          .addNewOwnerReference()
          .withApiVersion("batch/v1")
          .withKind("Job")
          .withName(job.getMetadata().getName())
          .withUid(job.getMetadata().getUid())
          .withController(true)
          .endOwnerReference()
          .endMetadata();
    }
    return k.client.resource(b.build()).create();
  }

  private Job job(String name) {
    return k.client
        .resource(
            new JobBuilder()
                .withNewMetadata()
                .withName(name)
                .withNamespace("ml")
                .endMetadata()
                .withNewSpec()
                .withBackoffLimit(2)
                .withNewTemplate()
                .withNewMetadata()
                .addToLabels(DpfApi.LABEL_CLAIM, name)
                .endMetadata()
                .withNewSpec()
                .withRestartPolicy("Never")
                .addNewContainer()
                .withName("trainer")
                .withImage("trainer")
                .endContainer()
                .endSpec()
                .endTemplate()
                .endSpec()
                .build())
        .create();
  }

  private Pod get(String name) {
    return k.client.pods().inNamespace("ml").withName(name).get();
  }

  private static List<String> gates(Pod p) {
    List<String> out = new ArrayList<>();
    for (PodSchedulingGate g :
        p.getSpec().getSchedulingGates() == null
            ? List.<PodSchedulingGate>of()
            : p.getSpec().getSchedulingGates()) {
      out.add(g.getName());
    }
    return out;
  }

  /** What the kubelet would report: the pod is bound, started, and in {@code phase}. */
  private void kubelet(String name, String phase, boolean started) {
    k.client
        .pods()
        .inNamespace("ml")
        .withName(name)
        .edit(
            p -> {
              p.getSpec().setNodeName("node-1");
              p.setStatus(
                  new io.fabric8.kubernetes.api.model.PodStatusBuilder()
                      .withPhase(phase)
                      .withStartTime(started ? "2026-12-01T00:00:00Z" : null)
                      .build());
              return p;
            });
  }

  private void jobEnds(Job job, String type) {
    k.client
        .batch()
        .v1()
        .jobs()
        .inNamespace("ml")
        .withName(job.getMetadata().getName())
        .edit(
            j -> {
              j.setStatus(
                  new io.fabric8.kubernetes.api.model.batch.v1.JobStatusBuilder()
                      .addNewCondition()
                      .withType(type)
                      .withStatus("True")
                      .endCondition()
                      .build());
              return j;
            });
  }

  private void awaitReleased(String... pods) {
    for (String p : pods) {
      await()
          .atMost(Duration.ofSeconds(10))
          .untilAsserted(
              () -> {
                Pod pod = get(p);
                assertThat(gates(pod)).containsExactly("example.com/quota");
                assertThat(pod.getMetadata().getFinalizers()).contains(DpfApi.FINALIZER_POD);
              });
    }
  }

  private void awaitConsumed(double eps) {
    await()
        .atMost(Duration.ofSeconds(10))
        .untilAsserted(
            () -> {
              var b = k.block("ml", "day-1").getStatus();
              assertThat(b.getLedger().getHolds()).isEmpty();
              assertThat(b.getConsumed().getEpsilon()).isEqualTo(eps);
            });
  }

  @Test
  void aJobsEightPodsStayGatedWhilePendingAndAreReleasedTogetherOnceAllocated() {
    k.start(TestCluster.config().withN(4)); // DPF-N: each arrival unlocks a quarter
    basicBlock("day-1", 1.0);
    Job job = job("train");
    List<String> names = IntStream.range(0, 8).mapToObj(i -> "train-" + i).toList();
    names.forEach(n -> pod(n, "train", job));
    eps("train", 0.4); // above the quarter its arrival unlocks: Pending
    k.awaitPhase("ml", "train", ClaimPhase.Pending);
    // Pending: not one pod is released (promise 4), however long we look
    holds(() -> names.forEach(n -> assertThat(gates(get(n))).contains(DpfApi.GATE_BUDGET)));
    eps("other", 0.01); // a second arrival unlocks another quarter: train fits now
    k.awaitPhase("ml", "train", ClaimPhase.Allocated);
    awaitReleased(names.toArray(String[]::new));
    // a pod of the Job created after the grant is released at once
    pod("train-late", "train", job);
    awaitReleased("train-late");
  }

  @Test
  void aJobsClaimIsConsumedWhenTheJobCompletesNotWhenOnePodFails() {
    k.start(TestCluster.config().withPolicy("fcfs"));
    basicBlock("day-1", 1.0);
    Job job = job("train");
    pod("train-a", "train", job);
    eps("train", 0.4);
    k.awaitPhase("ml", "train", ClaimPhase.Allocated);
    awaitReleased("train-a");
    kubelet("train-a", "Failed", true); // the first try fails: the Job retries
    pod("train-b", "train", job);
    awaitReleased("train-b");
    kubelet("train-b", "Succeeded", true);
    // the Job has not said it is over: the claim stays Allocated
    holds(() -> assertThat(k.phase("ml", "train")).isEqualTo(ClaimPhase.Allocated));
    // the failed pod cannot go before the claim is settled: its run counts
    assertThat(get("train-a").getMetadata().getFinalizers()).contains(DpfApi.FINALIZER_POD);
    jobEnds(job, "Complete");
    PrivacyClaim c = k.awaitPhase("ml", "train", ClaimPhase.Consumed);
    assertThat(c.getStatus().getMessage()).contains("Job ml/train completed");
    awaitConsumed(0.4);
    // settled: the pods' finalizers go
    await()
        .atMost(Duration.ofSeconds(10))
        .untilAsserted(
            () -> {
              assertThat(get("train-a").getMetadata().getFinalizers())
                  .doesNotContain(DpfApi.FINALIZER_POD);
              assertThat(get("train-b").getMetadata().getFinalizers())
                  .doesNotContain(DpfApi.FINALIZER_POD);
            });
  }

  @Test
  void aFailedJobWhosePodsRanIsConsumedAndOneWhosePodsNeverRanIsReleased() {
    k.start(TestCluster.config().withPolicy("fcfs"));
    basicBlock("day-1", 1.0);
    Job ran = job("ran");
    pod("ran-a", "ran", ran);
    Job never = job("never");
    pod("never-a", "never", never);
    eps("ran", 0.3);
    eps("never", 0.2);
    k.awaitPhase("ml", "ran", ClaimPhase.Allocated);
    k.awaitPhase("ml", "never", ClaimPhase.Allocated);
    awaitReleased("ran-a", "never-a");
    kubelet("ran-a", "Failed", true);
    jobEnds(ran, "Failed");
    jobEnds(never, "Failed"); // e.g. its deadline passed before its pod was scheduled
    assertThat(k.awaitPhase("ml", "ran", ClaimPhase.Consumed).getStatus().getMessage())
        .contains("Job ml/ran failed");
    // its released pod is still there and could start: the claim waits, and says why
    await()
        .atMost(Duration.ofSeconds(10))
        .untilAsserted(
            () ->
                assertThat(k.claim("ml", "never").getStatus().getMessage())
                    .contains("pod(s) [never-a] were released and may still start"));
    assertThat(k.phase("ml", "never")).isEqualTo(ClaimPhase.Allocated);
    k.client.pods().inNamespace("ml").withName("never-a").delete(); // the Job controller's doing
    assertThat(k.awaitPhase("ml", "never", ClaimPhase.Released).getStatus().getMessage())
        .contains("none of its pods ran");
    awaitConsumed(0.3);
  }

  @Test
  void barePodsConsumeTheClaimWhenEveryOneHasFinished() {
    k.start(TestCluster.config().withPolicy("fcfs"));
    basicBlock("day-1", 1.0);
    pod("solo-a", "solo", null);
    pod("solo-b", "solo", null);
    eps("solo", 0.25);
    k.awaitPhase("ml", "solo", ClaimPhase.Allocated);
    awaitReleased("solo-a", "solo-b");
    kubelet("solo-a", "Succeeded", true);
    holds(() -> assertThat(k.phase("ml", "solo")).isEqualTo(ClaimPhase.Allocated)); // b runs
    kubelet("solo-b", "Failed", true); // failed after running: finished
    k.awaitPhase("ml", "solo", ClaimPhase.Consumed);
    awaitConsumed(0.25);
  }

  @Test
  void aClaimDeletedWhileItsReleasedPodHasNotStartedWaitsThenIsReleased() {
    k.start(TestCluster.config().withPolicy("fcfs"));
    basicBlock("day-1", 1.0);
    pod("wait-a", "wait", null);
    eps("wait", 0.5);
    k.awaitPhase("ml", "wait", ClaimPhase.Allocated);
    awaitReleased("wait-a");
    k.client.resource(k.claim("ml", "wait")).delete();
    // the pod is released and could start any moment: the claim must not give its budget back
    holds(
        () -> {
          assertThat(k.claim("ml", "wait")).isNotNull();
          assertThat(k.block("ml", "day-1").getStatus().getLedger().getHolds()).hasSize(1);
        });
    // the pod is deleted before it was ever bound to a node: it never ran
    k.client.pods().inNamespace("ml").withName("wait-a").delete();
    await().atMost(Duration.ofSeconds(10)).until(() -> k.claim("ml", "wait") == null);
    await().atMost(Duration.ofSeconds(10)).until(() -> get("wait-a") == null); // finalizer gone
    var b = k.block("ml", "day-1").getStatus();
    assertThat(b.getLedger().getHolds()).isEmpty();
    assertThat(b.getConsumed().getEpsilon()).isEqualTo(0.0);
  }

  @Test
  void aPodThatRanAndWasDeletedWhileTheOperatorWasDownStillCounts() {
    DpfOperator first = k.start(TestCluster.config().withPolicy("fcfs"));
    basicBlock("day-1", 1.0);
    pod("gone-a", "gone", null);
    eps("gone", 0.5);
    k.awaitPhase("ml", "gone", ClaimPhase.Allocated);
    awaitReleased("gone-a");
    first.close();
    // while nobody watches: the pod runs, the user deletes it and the claim
    kubelet("gone-a", "Running", true);
    k.client.pods().inNamespace("ml").withName("gone-a").delete();
    k.client.resource(k.claim("ml", "gone")).delete();
    assertThat(get("gone-a")).isNotNull(); // our finalizer keeps it until its run is counted
    k.start(TestCluster.config().withPolicy("fcfs"));
    await().atMost(Duration.ofSeconds(15)).until(() -> k.claim("ml", "gone") == null);
    awaitConsumed(0.5);
    await().atMost(Duration.ofSeconds(10)).until(() -> get("gone-a") == null);
  }

  /**
   * Review A: a Job deleted while its released pod waits for a node does not release the budget.
   */
  @Test
  void aJobGoneWhileItsReleasedPodHasNotStartedKeepsTheGrantUntilThePodRuns() {
    k.start(TestCluster.config().withPolicy("fcfs"));
    basicBlock("day-1", 1.0);
    Job job = job("orphan");
    pod("orphan-a", "orphan", job);
    eps("orphan", 0.4);
    k.awaitPhase("ml", "orphan", ClaimPhase.Allocated);
    awaitReleased("orphan-a");
    k.client.batch().v1().jobs().inNamespace("ml").withName("orphan").delete(); // orphaned pod
    holds(() -> assertThat(k.phase("ml", "orphan")).isEqualTo(ClaimPhase.Allocated));
    kubelet("orphan-a", "Running", true); // it starts after all: the grant is spent
    PrivacyClaim c = k.awaitPhase("ml", "orphan", ClaimPhase.Consumed);
    assertThat(c.getStatus().getMessage()).contains("Job ml/orphan is gone");
    awaitConsumed(0.4);
  }

  /** Review B: a failed release is tried again. */
  @Test
  void aReleaseThatFailsOnceIsTriedAgain() {
    java.util.concurrent.atomic.AtomicInteger failed =
        new java.util.concurrent.atomic.AtomicInteger();
    k.server
        .dispatcher()
        .intercept(
            req ->
                "PATCH".equals(req.getMethod())
                        && req.getPath().startsWith("/api/v1/namespaces/ml/pods/retry-a")
                        && failed.getAndIncrement() == 0
                    ? new io.fabric8.mockwebserver.http.MockResponse()
                        .setResponseCode(503)
                        .setBody("{\"kind\":\"Status\",\"apiVersion\":\"v1\",\"code\":503}")
                    : null);
    DpfOperator op = k.start(TestCluster.config().withPolicy("fcfs"));
    basicBlock("day-1", 1.0);
    pod("retry-a", "retry", null);
    eps("retry", 0.1);
    k.awaitPhase("ml", "retry", ClaimPhase.Allocated);
    awaitReleased("retry-a");
    assertThat(failed.get()).isGreaterThan(1);
    assertThat(op.scheduler().gates().retries.get()).isPositive();
  }

  /** Review C: a non-Job owner that reports completion ends the claim even on a busy operator. */
  @Test
  void anOwnerThatReportsCompletionEndsTheClaimWhileOtherPodsKeepChanging() throws Exception {
    k.start(TestCluster.config().withPolicy("fcfs"));
    basicBlock("day-1", 1.0);
    var rs =
        k.client
            .resource(
                new io.fabric8.kubernetes.api.model.apps.ReplicaSetBuilder()
                    .withNewMetadata()
                    .withName("trainer-rs")
                    .withNamespace("ml")
                    .endMetadata()
                    .withNewSpec()
                    .withReplicas(1)
                    .endSpec()
                    .build())
            .create();
    Pod p =
        new PodBuilder(pod("rs-a", "rs", null))
            .editMetadata()
            .addNewOwnerReference()
            .withApiVersion("apps/v1")
            .withKind("ReplicaSet")
            .withName("trainer-rs")
            .withUid(rs.getMetadata().getUid())
            .withController(true)
            .endOwnerReference()
            .endMetadata()
            .build();
    k.client.resource(p).update();
    pod("busy-a", "busy", null); // another claim's pod, changing all the time
    eps("rs", 0.2);
    k.awaitPhase("ml", "rs", ClaimPhase.Allocated);
    awaitReleased("rs-a");
    kubelet("rs-a", "Succeeded", true);
    holds(() -> assertThat(k.phase("ml", "rs")).isEqualTo(ClaimPhase.Allocated)); // not said yet
    k.client
        .apps()
        .replicaSets()
        .inNamespace("ml")
        .withName("trainer-rs")
        .edit(
            r -> {
              r.setStatus(
                  new io.fabric8.kubernetes.api.model.apps.ReplicaSetStatusBuilder()
                      .withReplicas(0)
                      .addNewCondition()
                      .withType("Complete")
                      .withStatus("True")
                      .endCondition()
                      .build());
              return r;
            });
    java.util.concurrent.atomic.AtomicBoolean busy =
        new java.util.concurrent.atomic.AtomicBoolean(true);
    Thread churn =
        new Thread(
            () -> {
              for (int i = 0; busy.get(); i++) {
                int n = i;
                k.client
                    .pods()
                    .inNamespace("ml")
                    .withName("busy-a")
                    .edit(
                        x -> {
                          x.getMetadata().getLabels().put("tick", Integer.toString(n));
                          return x;
                        });
                try {
                  Thread.sleep(100);
                } catch (InterruptedException e) {
                  return;
                }
              }
            });
    churn.start();
    try {
      PrivacyClaim c = k.awaitPhase("ml", "rs", ClaimPhase.Consumed);
      assertThat(c.getStatus().getMessage()).contains("ReplicaSet ml/trainer-rs finished");
    } finally {
      busy.set(false);
      churn.join();
    }
  }

  /** Review D: a claim re-created under the same name is not judged by the old one's pods. */
  @Test
  void aClaimReCreatedUnderTheSameNameIsNotJudgedByTheOldOnesPods() {
    k.start(TestCluster.config().withPolicy("fcfs"));
    basicBlock("day-1", 1.0);
    pod("re-a", "re", null);
    eps("re", 0.5);
    String firstUid = k.awaitPhase("ml", "re", ClaimPhase.Allocated).getMetadata().getUid();
    awaitReleased("re-a");
    kubelet("re-a", "Succeeded", true);
    k.awaitPhase("ml", "re", ClaimPhase.Consumed);
    k.client.resource(k.claim("ml", "re")).delete();
    await().atMost(Duration.ofSeconds(10)).until(() -> k.claim("ml", "re") == null);
    // the same name again; its own pod never runs and goes
    pod("re-b", "re", null);
    eps("re", 0.2);
    k.awaitPhase("ml", "re", ClaimPhase.Allocated);
    awaitReleased("re-b");
    k.client.pods().inNamespace("ml").withName("re-b").delete();
    k.client.resource(k.claim("ml", "re")).delete();
    await().atMost(Duration.ofSeconds(10)).until(() -> k.claim("ml", "re") == null);
    awaitConsumed(0.5); // the first claim's 0.5 only: the second one gave its 0.2 back
    assertThat(get("re-a").getMetadata().getAnnotations())
        .containsEntry(DpfApi.ANNOTATION_CLAIM_UID, firstUid);
  }

  /** Review F: a Job that cannot be read makes its claim wait, without rebuilding the state. */
  @Test
  void aJobThatCannotBeReadMakesItsClaimWaitAndTheRestGoesOn() {
    k.server
        .dispatcher()
        .intercept(
            req ->
                "GET".equals(req.getMethod())
                        && req.getPath().startsWith("/apis/batch/v1/namespaces/ml/jobs/ghost")
                    ? new io.fabric8.mockwebserver.http.MockResponse()
                        .setResponseCode(403)
                        .setBody("{\"kind\":\"Status\",\"apiVersion\":\"v1\",\"code\":403}")
                    : null);
    DpfOperator op = k.start(TestCluster.config().withPolicy("fcfs"));
    basicBlock("day-1", 1.0);
    Pod ghost =
        new PodBuilder(pod("ghost-a", "ghost", null))
            .editMetadata()
            .addNewOwnerReference()
            .withApiVersion("batch/v1")
            .withKind("Job")
            .withName("ghost")
            .withUid("0000-not-in-the-cache")
            .withController(true)
            .endOwnerReference()
            .endMetadata()
            .build();
    k.client.resource(ghost).update();
    eps("ghost", 0.2);
    k.awaitPhase("ml", "ghost", ClaimPhase.Allocated);
    long resyncs = op.scheduler().resyncs.get();
    eps("other", 0.3);
    k.awaitPhase("ml", "other", ClaimPhase.Allocated);
    holds(
        () -> {
          assertThat(k.phase("ml", "ghost")).isEqualTo(ClaimPhase.Allocated);
          assertThat(op.scheduler().resyncs.get()).isEqualTo(resyncs);
        });
  }

  /** A claim deleted with its finalizer removed by hand: its old view releases nothing. */
  @Test
  void aClaimRemovedByHandReleasesNoPodOfItsName() throws InterruptedException {
    k.start(TestCluster.config().withPolicy("fcfs"));
    basicBlock("day-1", 1.0);
    eps("hand", 0.1);
    k.awaitPhase("ml", "hand", ClaimPhase.Allocated);
    PrivacyClaim c = k.claim("ml", "hand");
    c.getMetadata().setFinalizers(List.of());
    k.client.resource(c).update();
    k.client.resource(k.claim("ml", "hand")).delete();
    await().atMost(Duration.ofSeconds(10)).until(() -> k.claim("ml", "hand") == null);
    // the operator's view of the claim grows older than what it releases on without a fresh read
    Thread.sleep(TimeUnit.NANOSECONDS.toMillis(GateController.FRESH_NANOS) + 1_000);
    pod("hand-a", "hand", null);
    holds(() -> assertThat(gates(get("hand-a"))).contains(DpfApi.GATE_BUDGET));
  }

  @Test
  void podsOfADeniedClaimStayGatedAndSayWhy() {
    k.start(TestCluster.config().withPolicy("fcfs"));
    basicBlock("day-1", 1.0);
    pod("big-a", "big", null);
    eps("big", 1.5); // above the block's capacity: Infeasible
    k.awaitPhase("ml", "big", ClaimPhase.Denied);
    await()
        .atMost(Duration.ofSeconds(10))
        .untilAsserted(
            () ->
                assertThat(get("big-a").getMetadata().getAnnotations())
                    .hasEntrySatisfying(
                        DpfApi.ANNOTATION_GATE_REASON,
                        v ->
                            assertThat(v)
                                .contains("claim ml/big was denied (Infeasible)")
                                .contains("block ml/day-1")));
    assertThat(gates(get("big-a"))).contains(DpfApi.GATE_BUDGET);
    await()
        .atMost(Duration.ofSeconds(10))
        .untilAsserted(
            () ->
                assertThat(k.client.v1().events().inNamespace("ml").list().getItems())
                    .anySatisfy(
                        (Event e) -> {
                          assertThat(e.getInvolvedObject().getName()).isEqualTo("big-a");
                          assertThat(e.getReason()).isEqualTo(DpfApi.Reasons.BUDGET_DENIED);
                        }));
  }

  @Test
  void podsOfADeniedClaimAreDeletedWhenSoConfigured() {
    k.start(TestCluster.config().withPolicy("fcfs").with("denied-pods", "delete"));
    basicBlock("day-1", 1.0);
    pod("big-a", "big", null);
    eps("big", 1.5);
    k.awaitPhase("ml", "big", ClaimPhase.Denied);
    await().atMost(Duration.ofSeconds(10)).until(() -> get("big-a") == null);
  }

  @Test
  void podsWhoseControllerIsNotAJobFinishTheClaimWhenTheControllerIsGone() {
    k.start(TestCluster.config().withPolicy("fcfs"));
    basicBlock("day-1", 1.0);
    Pod p =
        new PodBuilder(pod("rs-a", "rs", null))
            .editMetadata()
            .addNewOwnerReference()
            .withApiVersion("apps/v1")
            .withKind("ReplicaSet")
            .withName("trainer-rs")
            .withUid("0000-no-such-replicaset")
            .withController(true)
            .endOwnerReference()
            .endMetadata()
            .build();
    k.client.resource(p).update();
    eps("rs", 0.2);
    k.awaitPhase("ml", "rs", ClaimPhase.Allocated);
    awaitReleased("rs-a");
    kubelet("rs-a", "Succeeded", true);
    PrivacyClaim c = k.awaitPhase("ml", "rs", ClaimPhase.Consumed);
    assertThat(c.getStatus().getMessage()).contains("ReplicaSet ml/trainer-rs finished");
    awaitConsumed(0.2);
  }

  /** {@code check} holds for a while (the operator had time to act and did not). */
  private static void holds(Runnable check) {
    await()
        .during(Duration.ofMillis(1_500))
        .atMost(Duration.ofSeconds(5))
        .pollInterval(Duration.ofMillis(100))
        .untilAsserted(check::run);
  }
}
