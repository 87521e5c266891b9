package dev.privacy.dpf.operator;

import static dev.privacy.dpf.operator.TestCluster.block;
import static dev.privacy.dpf.operator.TestCluster.claim;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.privacy.dpf.crds.ClaimPhase;
import dev.privacy.dpf.crds.DpfApi;
import dev.privacy.dpf.crds.PrivacyClaim;
import dev.privacy.dpf.crds.PrivateBlock;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Each path of the claim lifecycle, observed through the API server. */
class LifecycleTest {
  final TestCluster k = new TestCluster();

  @AfterEach
  void stop() {
    k.close();
  }

  private void basicBlock(String ns, String name, double eps) {
    k.create(block(ns, name, "clicks", eps, "  accounting: Basic\n"));
  }

  private void eps(String ns, String name, double eps) {
    k.create(claim(ns, name, "{dataset: clicks}", "{epsDelta: {epsilon: " + eps + "}}", ""));
  }

  /** A pod of the claim that started (as the kubelet would report it). */
  private void podThatRan(String claim, String phase) {
    Pod pod =
        new PodBuilder()
            .withNewMetadata()
            .withName(claim + "-0")
            .withNamespace("ml")
            .addToLabels(DpfApi.LABEL_CLAIM, claim)
            .endMetadata()
            .withNewSpec()
            .addNewContainer()
            .withName("main")
            .withImage("trainer")
            .endContainer()
            .endSpec()
            .withNewStatus()
            .withPhase(phase)
            .withStartTime("2026-11-28T00:00:00Z")
            .endStatus()
            .build();
    k.client.resource(pod).create();
  }

  @Test
  void grantedThenConsumedWithASmallerSpendGivesTheRestBack() {
    k.start(TestCluster.config().withPolicy("fcfs"));
    basicBlock("ml", "day-1", 1.0);
    eps("ml", "train", 0.4);
    PrivacyClaim c = k.awaitPhase("ml", "train", ClaimPhase.Allocated);
    assertThat(c.getStatus().getGrants())
        .singleElement()
        .satisfies(
            g -> {
              assertThat(g.getBlock()).isEqualTo("ml/day-1");
              assertThat(g.getAmount().getEpsilon()).isEqualTo(0.4);
            });
    assertThat(c.getMetadata().getFinalizers()).contains(DpfApi.FINALIZER_CLAIM);
    PrivateBlock b = k.block("ml", "day-1");
    assertThat(b.getStatus().getLedger().getHolds())
        .singleElement()
        .satisfies(h -> assertThat(h.getUid()).isEqualTo(c.getMetadata().getUid()));
    assertThat(b.getStatus().getAllocated().getEpsilon()).isEqualTo(0.4);

    k.reportSpend("ml", "train", "{epsDelta: {epsilon: 0.25}}");
    PrivacyClaim done = k.awaitPhase("ml", "train", ClaimPhase.Consumed);
    assertThat(done.getStatus().getSpent())
        .singleElement()
        .satisfies(s -> assertThat(s.getAmount().getEpsilon()).isEqualTo(0.25));
    await()
        .atMost(Duration.ofSeconds(10))
        .untilAsserted(
            () -> {
              PrivateBlock after = k.block("ml", "day-1");
              assertThat(after.getStatus().getLedger().getHolds()).isEmpty();
              assertThat(after.getStatus().getConsumed().getEpsilon()).isEqualTo(0.25);
              assertThat(after.getStatus().getAllocated().getEpsilon()).isEqualTo(0.0);
              assertThat(after.getStatus().getAvailable().getEpsilon()).isEqualTo(0.75);
            });
  }

  /** Hazard 10: a spend reported after the claim finished changes nothing. */
  @Test
  void aSpendReportedAfterTheClaimFinishedChangesNothing() {
    k.start(TestCluster.config().withPolicy("fcfs"));
    basicBlock("ml", "day-1", 1.0);
    eps("ml", "train", 0.4);
    k.awaitPhase("ml", "train", ClaimPhase.Allocated);
    podThatRan("train", "Running");
    k.client.resource(k.claim("ml", "train")).delete();
    // the claim is being deleted after its pod ran: the whole grant is consumed
    await()
        .atMost(Duration.ofSeconds(10))
        .untilAsserted(
            () ->
                assertThat(k.block("ml", "day-1").getStatus().getConsumed().getEpsilon())
                    .isEqualTo(0.4));
    PrivacyClaim late = k.claim("ml", "train");
    if (late != null) { // still there (its finalizer): a late, smaller spend is ignored
      late.getSpec().setSpent(Yaml.demand("{epsDelta: {epsilon: 0.1}}"));
      try {
        k.client.resource(late).update();
      } catch (RuntimeException gone) {
        // it went away meanwhile: nothing to report to
      }
    }
    await().atMost(Duration.ofSeconds(10)).until(() -> k.claim("ml", "train") == null);
    assertThat(k.block("ml", "day-1").getStatus().getConsumed().getEpsilon()).isEqualTo(0.4);
    assertThat(k.block("ml", "day-1").getStatus().getLedger().getHolds()).isEmpty();
  }

  @Test
  void aSpendAboveTheGrantIsCappedAtTheGrant() {
    k.start(TestCluster.config().withPolicy("fcfs"));
    basicBlock("ml", "day-1", 1.0);
    eps("ml", "train", 0.4);
    PrivacyClaim c = k.awaitPhase("ml", "train", ClaimPhase.Allocated);
    k.reportSpend("ml", "train", "{epsDelta: {epsilon: 0.9}}");
    k.awaitPhase("ml", "train", ClaimPhase.Consumed);
    await()
        .atMost(Duration.ofSeconds(10))
        .untilAsserted(
            () ->
                assertThat(k.block("ml", "day-1").getStatus().getConsumed().getEpsilon())
                    .isEqualTo(0.4));
  }

  @Test
  void deletedBeforeAnyPodRanIsReleasedAndTheBudgetReturns() {
    k.start(TestCluster.config().withPolicy("fcfs"));
    basicBlock("ml", "day-1", 1.0);
    eps("ml", "train", 0.4);
    k.awaitPhase("ml", "train", ClaimPhase.Allocated);
    k.client.resource(k.claim("ml", "train")).delete();
    await().atMost(Duration.ofSeconds(10)).until(() -> k.claim("ml", "train") == null);
    await()
        .atMost(Duration.ofSeconds(10))
        .untilAsserted(
            () -> {
              PrivateBlock b = k.block("ml", "day-1");
              assertThat(b.getStatus().getLedger().getHolds()).isEmpty();
              assertThat(b.getStatus().getConsumed().getEpsilon()).isEqualTo(0.0);
              assertThat(b.getStatus().getAvailable().getEpsilon()).isEqualTo(1.0);
            });
  }

  @Test
  void deletedAfterItsPodRanIsConsumedForGood() {
    k.start(TestCluster.config().withPolicy("fcfs"));
    basicBlock("ml", "day-1", 1.0);
    eps("ml", "train", 0.4);
    k.awaitPhase("ml", "train", ClaimPhase.Allocated);
    podThatRan("train", "Succeeded");
    k.client.resource(k.claim("ml", "train")).delete();
    await().atMost(Duration.ofSeconds(10)).until(() -> k.claim("ml", "train") == null);
    await()
        .atMost(Duration.ofSeconds(10))
        .untilAsserted(
            () -> {
              PrivateBlock b = k.block("ml", "day-1");
              assertThat(b.getStatus().getLedger().getHolds()).isEmpty();
              assertThat(b.getStatus().getConsumed().getEpsilon()).isEqualTo(0.4);
            });
  }

  @Test
  void aPendingClaimSaysWhereItIsInTheQueueAndWhatBlocksIt() {
    k.start(TestCluster.config().withN(10));
    k.create(block("ml", "day-1", "clicks", 1.0, "  accounting: Basic\n"));
    eps("ml", "big", 0.5);
    PrivacyClaim c = k.awaitPhase("ml", "big", ClaimPhase.Pending);
    assertThat(c.getStatus().getReason()).isEqualTo(DpfApi.Reasons.WAITING_FOR_BUDGET);
    assertThat(c.getStatus().getQueuePosition()).isEqualTo(1);
    assertThat(c.getStatus().getBlockingBlock()).isEqualTo("ml/day-1");
    assertThat(c.getStatus().getMessage()).contains("ml/day-1").contains("0.1").contains("0.5");
    assertThat(c.getStatus().getDominantShare()).isEqualTo(0.5);
    assertThat(c.getStatus().getBlocks()).containsExactly("ml/day-1");
  }

  @Test
  void eachDenialNamesItsReason() {
    k.start(TestCluster.config().withDefaultTimeout(Duration.ofSeconds(2)));
    k.create(block("ml", "day-1", "clicks", 1.0, "  accounting: Basic\n"));
    k.create(block("other", "private", "secret", 1.0, "  accounting: Basic\n"));
    k.create(claim("ml", "bad", "{dataset: clicks}", "{epsDelta: {epsilon: -1}}", ""));
    k.create(claim("ml", "nothing", "{dataset: views}", "{epsDelta: {epsilon: 0.1}}", ""));
    k.create(
        claim(
            "ml",
            "trespass",
            "{dataset: secret, namespace: other}",
            "{epsDelta: {epsilon: 0.1}}",
            ""));
    k.create(claim("ml", "toolarge", "{dataset: clicks}", "{epsDelta: {epsilon: 2.0}}", ""));
    k.create(claim("ml", "slow", "{dataset: clicks}", "{epsDelta: {epsilon: 0.9}}", ""));
    k.create(
        claim(
            "ml",
            "curve-on-basic",
            "{dataset: clicks}",
            "{rdp: {orders: [2, 4], epsilons: [0.1, 0.2]}}",
            ""));

    assertDenied("bad", DpfApi.Reasons.INVALID, "spec.demand.epsDelta.epsilon", "-1");
    assertDenied("nothing", DpfApi.Reasons.NO_MATCHING_BLOCKS, "views");
    assertDenied("trespass", DpfApi.Reasons.FORBIDDEN, "other", "allowedNamespaces");
    assertDenied("toolarge", DpfApi.Reasons.INFEASIBLE, "ml/day-1");
    assertDenied("slow", DpfApi.Reasons.TIMEOUT);
    assertDenied("curve-on-basic", DpfApi.Reasons.INVALID, "spec.demand", "delta");
    // and each denial is an Event on the claim
    await()
        .atMost(Duration.ofSeconds(10))
        .untilAsserted(
            () ->
                assertThat(k.client.v1().events().inNamespace("ml").list().getItems())
                    .anySatisfy(
                        e -> {
                          assertThat(e.getInvolvedObject().getName()).isEqualTo("bad");
                          assertThat(e.getType()).isEqualTo("Warning");
                          assertThat(e.getReason()).isEqualTo(DpfApi.Reasons.INVALID);
                          assertThat(e.getMessage()).contains("spec.demand.epsDelta.epsilon");
                        }));
  }

  private void assertDenied(String name, String reason, String... mentions) {
    PrivacyClaim c = k.awaitPhase("ml", name, ClaimPhase.Denied);
    assertThat(c.getStatus().getReason()).as(name).isEqualTo(reason);
    for (String m : mentions) {
      assertThat(c.getStatus().getMessage()).as(name).contains(m);
    }
    assertThat(c.getStatus().getConditions())
        .anySatisfy(
            cd -> {
              assertThat(cd.getType()).isEqualTo(DpfApi.Conditions.FINISHED);
              assertThat(cd.getStatus()).isEqualTo("True");
              assertThat(cd.getReason()).isEqualTo(reason);
            });
  }

  @Test
  void aBlockSharedWithAnotherNamespaceServesItsClaims() {
    k.start(TestCluster.config().withPolicy("fcfs"));
    k.create(
        block("data", "day-1", "clicks", 1.0, "  accounting: Basic\n  allowedNamespaces: [ml]\n"));
    k.create(
        claim("ml", "ok", "{dataset: clicks, namespace: data}", "{epsDelta: {epsilon: 0.1}}", ""));
    k.create(
        claim("ads", "no", "{dataset: clicks, namespace: data}", "{epsDelta: {epsilon: 0.1}}", ""));
    assertThat(k.awaitPhase("ml", "ok", ClaimPhase.Allocated).getStatus().getBlocks())
        .containsExactly("data/day-1");
    assertThat(k.awaitPhase("ads", "no", ClaimPhase.Denied).getStatus().getReason())
        .isEqualTo(DpfApi.Reasons.FORBIDDEN);
  }

  @Test
  void deletingABlockWaitsForItsLiveGrants() {
    k.start(TestCluster.config().withPolicy("fcfs"));
    basicBlock("ml", "day-1", 1.0);
    eps("ml", "train", 0.4);
    k.awaitPhase("ml", "train", ClaimPhase.Allocated);
    k.client.resource(k.block("ml", "day-1")).delete();
    await()
        .atMost(Duration.ofSeconds(10))
        .untilAsserted(
            () -> {
              PrivateBlock b = k.block("ml", "day-1");
              assertThat(b).isNotNull();
              assertThat(b.getStatus().getPhase()).hasToString("Retired");
              assertThat(b.getStatus().getConditions())
                  .anySatisfy(
                      cd -> {
                        assertThat(cd.getType()).isEqualTo(DpfApi.Conditions.DELETION_BLOCKED);
                        assertThat(cd.getStatus()).isEqualTo("True");
                        assertThat(cd.getMessage()).contains("ml/train");
                      });
            });
    // a new claim cannot select the retired block
    eps("ml", "late", 0.1);
    assertThat(k.awaitPhase("ml", "late", ClaimPhase.Denied).getStatus().getReason())
        .isEqualTo(DpfApi.Reasons.NO_MATCHING_BLOCKS);
    k.reportSpend("ml", "train", "{epsDelta: {epsilon: 0.4}}");
    await().atMost(Duration.ofSeconds(10)).until(() -> k.block("ml", "day-1") == null);
  }

  @Test
  void anOperatorLimitedToSomeNamespacesLeavesTheOthersAlone() {
    k.start(
        OperatorConfig.parse(
            new String[] {
              "--namespaces=ml", "--policy=fcfs", "--health-port=-1", "--resync-period=500ms"
            },
            java.util.Map.of()));
    basicBlock("ml", "day-1", 1.0);
    basicBlock("other", "day-1", 1.0);
    eps("ml", "mine", 0.1);
    eps("other", "theirs", 0.1);
    k.awaitPhase("ml", "mine", ClaimPhase.Allocated);
    assertThat(k.claim("other", "theirs").getStatus()).isNull();
    assertThat(k.block("other", "day-1").getStatus()).isNull();
  }

  @Test
  void aBlockCanOverrideTheUnlockingPolicy() {
    k.start(TestCluster.config().withN(10));
    k.create(block("ml", "open", "clicks", 1.0, "  accounting: Basic\n  unlock: {policy: fcfs}\n"));
    k.awaitSeen("ml", "open");
    eps("ml", "whole", 0.9); // DPF-N with N = 10 would unlock only 0.1
    k.awaitPhase("ml", "whole", ClaimPhase.Allocated);
  }

  @Test
  void aBlockWhoseSpecStopsValidatingKeepsItsLedgerAcrossARestart() {
    DpfOperator first = k.start(TestCluster.config().withPolicy("fcfs"));
    basicBlock("ml", "day-1", 1.0);
    eps("ml", "train", 0.4);
    k.awaitPhase("ml", "train", ClaimPhase.Allocated);
    first.close();
    // an edit the validator refuses (no webhook here to stop it)
    PrivateBlock b = k.block("ml", "day-1");
    b.getSpec().setUnlock(Yaml.unlock("{policy: dpf-t, lifetime: 0s}"));
    k.client.resource(b).update();
    k.start(TestCluster.config().withPolicy("fcfs"));
    eps("ml", "more", 0.1);
    await()
        .atMost(Duration.ofSeconds(15))
        .untilAsserted(
            () -> {
              PrivateBlock after = k.block("ml", "day-1");
              assertThat(after.getStatus().getLedger().getHolds())
                  .extracting(h -> h.getClaim())
                  .contains("ml/train");
              assertThat(after.getStatus().getConditions())
                  .anySatisfy(
                      c -> {
                        assertThat(c.getType()).isEqualTo(DpfApi.Conditions.VALID);
                        assertThat(c.getStatus()).isEqualTo("False");
                        assertThat(c.getMessage()).contains("lifetime").contains("stays in force");
                      });
            });
    assertThat(k.phase("ml", "train")).isEqualTo(ClaimPhase.Allocated);
    Invariants.check(k.client, new Invariants.Watermarks(), false);
  }

  @Test
  void invalidClaimsAreDeniedAndTheValidOnesBehindThemGranted() {
    k.start(TestCluster.config().withPolicy("fcfs"));
    basicBlock("ml", "day-1", 1.0);
    List<String> bad =
        List.of(
            "{epsDelta: {epsilon: 0}}",
            "{epsDelta: {epsilon: .nan}}",
            "{epsDelta: {epsilon: 0.1, delta: 1.5}}",
            "{rdp: {orders: [2, 3], epsilons: [0.1]}}",
            "{mechanism: {gaussian: {sigma: -2}}}",
            "{mechanism: {subsampledGaussian: {noiseMultiplier: 1.1, samplingRate: 2, steps: 10}}}");
    for (int i = 0; i < bad.size(); i++) {
      k.create(claim("ml", "bad-" + i, "{dataset: clicks}", bad.get(i), ""));
      eps("ml", "good-" + i, 0.1);
    }
    for (int i = 0; i < bad.size(); i++) {
      PrivacyClaim c = k.awaitPhase("ml", "bad-" + i, ClaimPhase.Denied);
      assertThat(c.getStatus().getReason()).isEqualTo(DpfApi.Reasons.INVALID);
      assertThat(c.getStatus().getMessage()).contains("spec.demand");
      k.awaitPhase("ml", "good-" + i, ClaimPhase.Allocated);
    }
  }
}
