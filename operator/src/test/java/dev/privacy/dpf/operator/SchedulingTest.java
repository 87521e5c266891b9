package dev.privacy.dpf.operator;

import static dev.privacy.dpf.operator.TestCluster.block;
import static dev.privacy.dpf.operator.TestCluster.claim;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.privacy.dpf.crds.ClaimPhase;
import dev.privacy.dpf.crds.PrivacyClaim;
import dev.privacy.dpf.crds.PrivateBlock;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Comparator;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** DPF as observed through the API, and the ledger hazards of arrival counting and time. */
class SchedulingTest {
  final TestCluster k = new TestCluster();

  @AfterEach
  void stop() {
    k.close();
  }

  /**
   * DPF-N with N = 4 on one block of epsilon 1: each arrival unlocks 0.25. The claims that fit
   * their fair share are granted as they arrive; the big one waits until enough is unlocked, and
   * among the waiting ones the smallest dominant share goes first.
   */
  @Test
  void dpfGrantsTheSmallestDominantShareFirst() {
    k.start(TestCluster.config().withN(4));
    k.create(block("ml", "day-1", "clicks", 1.0, "  accounting: Basic\n"));
    k.awaitSeen("ml", "day-1");
    // 1st arrival unlocks 0.25: a big claim (0.6) waits
    k.create(claim("ml", "big", "{dataset: clicks}", "{epsDelta: {epsilon: 0.6}}", ""));
    k.awaitPhase("ml", "big", ClaimPhase.Pending);
    // 2nd arrival unlocks 0.5: the medium claim (0.4) fits before big (smaller share)
    k.create(claim("ml", "medium", "{dataset: clicks}", "{epsDelta: {epsilon: 0.4}}", ""));
    k.awaitPhase("ml", "medium", ClaimPhase.Allocated);
    assertThat(k.phase("ml", "big")).isEqualTo(ClaimPhase.Pending);
    // 3rd and 4th arrivals unlock everything (1.0): 0.6 is left, the small claims fit first
    // (smaller dominant shares), after which big (0.6) does not fit what is left and waits
    k.create(claim("ml", "small", "{dataset: clicks}", "{epsDelta: {epsilon: 0.1}}", ""));
    k.create(claim("ml", "tiny", "{dataset: clicks}", "{epsDelta: {epsilon: 0.05}}", ""));
    k.awaitPhase("ml", "small", ClaimPhase.Allocated);
    k.awaitPhase("ml", "tiny", ClaimPhase.Allocated);
    await()
        .atMost(Duration.ofSeconds(15))
        .untilAsserted(
            () -> {
              PrivacyClaim big = k.claim("ml", "big");
              assertThat(big.getStatus().getPhase()).isEqualTo(ClaimPhase.Pending);
              assertThat(big.getStatus().getBlockingBlock()).isEqualTo("ml/day-1");
              assertThat(big.getStatus().getMessage()).contains("0.45").contains("0.6");
            });
    List<PrivacyClaim> granted =
        k.client.resources(PrivacyClaim.class).inNamespace("ml").list().getItems().stream()
            .filter(c -> c.getStatus().getPhase() == ClaimPhase.Allocated)
            .sorted(Comparator.comparing(c -> c.getStatus().getAllocatedAt()))
            .toList();
    assertThat(granted).extracting(c -> c.getMetadata().getName()).startsWith("medium");
    PrivateBlock b = k.block("ml", "day-1");
    assertThat(b.getStatus().getClaimsArrived()).isEqualTo(4);
    assertThat(b.getStatus().getAllocated().getEpsilon()).isEqualTo(0.55);
  }

  /** Several claims waiting on one block: when budget frees up, DPF order decides. */
  @Test
  void waitingClaimsAreGrantedInDominantShareOrder() {
    k.start(TestCluster.config().withPolicy("fcfs"));
    k.create(block("ml", "day-1", "clicks", 1.0, "  accounting: Basic\n"));
    k.create(block("ml", "day-2", "clicks", 1.0, "  accounting: Basic\n"));
    k.awaitSeen("ml", "day-1", "day-2");
    k.create(claim("ml", "hog", "{dataset: clicks}", "{epsDelta: {epsilon: 0.9}}", ""));
    k.awaitPhase("ml", "hog", ClaimPhase.Allocated);
    // w1 comes first: the scheduler sees it before w2 is created
    k.create(claim("ml", "w1", "{dataset: clicks}", "{epsDelta: {epsilon: 0.5}}", ""));
    PrivacyClaim w1 = k.awaitPhase("ml", "w1", ClaimPhase.Pending);
    k.create(claim("ml", "w2", "{dataset: clicks}", "{epsDelta: {epsilon: 0.3}}", ""));
    k.awaitPhase("ml", "w2", ClaimPhase.Pending);
    await()
        .atMost(Duration.ofSeconds(15))
        .until(() -> k.claim("ml", "w1").getStatus().getQueuePosition() != null);
    assertThat(w1.getStatus().getMessage()).contains("0.1");
    // hog spends 0.4 of 0.9: 0.6 free, w2 (0.3) then ... FCFS order first: w1 (0.5) fits
    k.reportSpend("ml", "hog", "{epsDelta: {epsilon: 0.4}}");
    k.awaitPhase("ml", "w1", ClaimPhase.Allocated);
    assertThat(k.phase("ml", "w2")).isEqualTo(ClaimPhase.Pending);
  }

  /**
   * Hazard 6: a restart re-reads the claims that already arrived and does not count them again; a
   * claim deleted and created again under the same name is a new arrival (a new UID).
   */
  @Test
  void arrivalsAreCountedOncePerClaimAcrossRestarts() {
    DpfOperator first = k.start(TestCluster.config().withN(10));
    k.create(block("ml", "day-1", "clicks", 1.0, "  accounting: Basic\n"));
    k.awaitSeen("ml", "day-1");
    for (String n : List.of("a", "b", "c")) {
      k.create(claim("ml", n, "{dataset: clicks}", "{epsDelta: {epsilon: 0.5}}", ""));
      k.awaitPhase("ml", n, ClaimPhase.Pending);
    }
    await()
        .atMost(Duration.ofSeconds(10))
        .until(() -> k.block("ml", "day-1").getStatus().getLedger().getArrivals() == 3);
    first.close();
    k.start(TestCluster.config().withN(10));
    k.create(claim("ml", "d", "{dataset: clicks}", "{epsDelta: {epsilon: 0.5}}", ""));
    k.awaitPhase("ml", "d", ClaimPhase.Pending);
    await()
        .atMost(Duration.ofSeconds(10))
        .untilAsserted(
            () -> {
              PrivateBlock b = k.block("ml", "day-1");
              assertThat(b.getStatus().getLedger().getArrivals()).isEqualTo(4);
              assertThat(b.getStatus().getUnlocked().getEpsilon()).isEqualTo(0.4);
            });
    // deleted and created again: a new arrival
    k.client.resource(k.claim("ml", "d")).delete();
    await().atMost(Duration.ofSeconds(10)).until(() -> k.claim("ml", "d") == null);
    k.create(claim("ml", "d", "{dataset: clicks}", "{epsDelta: {epsilon: 0.5}}", ""));
    await()
        .atMost(Duration.ofSeconds(10))
        .ignoreExceptions()
        .untilAsserted(
            () ->
                assertThat(k.block("ml", "day-1").getStatus().getLedger().getArrivals())
                    .isEqualTo(5));
    // 5 arrivals x 0.1 = 0.5 unlocked: the first claim (0.5) is granted
    k.awaitPhase("ml", "a", ClaimPhase.Allocated);
  }

  /**
   * Hazard 9: DPF-T's unlocked level comes from the block's creation time and lifetime; a scheduler
   * whose clock is behind never lowers it.
   */
  @Test
  void dpfTUnlockingNeverGoesBackWithASlowClock() {
    OperatorConfig cfg =
        TestCluster.config().withPolicy("dpf-t").withLifetime(Duration.ofHours(10));
    Instant now = Instant.now();
    DpfOperator first =
        k.start(
            new DpfOperator(
                k.server.client(),
                cfg,
                Clock.fixed(now.plus(Duration.ofHours(5)), ZoneOffset.UTC)));
    k.create(block("ml", "day-1", "clicks", 1.0, "  accounting: Basic\n"));
    await()
        .atMost(Duration.ofSeconds(10))
        .ignoreExceptions()
        .until(() -> k.block("ml", "day-1").getStatus().getUnlocked().getEpsilon() > 0.49);
    first.close();
    // the next leader's clock is two hours behind
    k.start(
        new DpfOperator(
            k.server.client(), cfg, Clock.fixed(now.plus(Duration.ofHours(3)), ZoneOffset.UTC)));
    k.create(
        claim("ml", "c", "{dataset: clicks}", "{epsDelta: {epsilon: 0.45}}", "  timeout: 24h\n"));
    k.awaitPhase("ml", "c", ClaimPhase.Allocated);
    assertThat(k.block("ml", "day-1").getStatus().getLedger().getUnlockedLevel().get(0))
        .isGreaterThanOrEqualTo(490_000_000_000L);
  }

  /** Hazard 8: a block that has seen many claims stays small: finished claims leave no entry. */
  @Test
  void aBlockStaysSmallAfterManyClaims() {
    k.start(TestCluster.config().withPolicy("fcfs"));
    k.create(block("ml", "day-1", "clicks", 1000.0, "  accounting: Basic\n"));
    k.awaitSeen("ml", "day-1");
    int n = 200;
    for (int i = 0; i < n; i++) {
      k.create(claim("ml", "c" + i, "{dataset: clicks}", "{epsDelta: {epsilon: 0.01}}", ""));
    }
    await().atMost(Duration.ofSeconds(60)).until(() -> allocatedCount() == n);
    int whileHeld = size(k.block("ml", "day-1"));
    for (int i = 0; i < n; i++) {
      k.client.resource(k.claim("ml", "c" + i)).delete();
    }
    await()
        .atMost(Duration.ofSeconds(60))
        .until(
            () ->
                k.client.resources(PrivacyClaim.class).inNamespace("ml").list().getItems().isEmpty()
                    && k.block("ml", "day-1").getStatus().getLedger().getHolds().isEmpty());
    int after = size(k.block("ml", "day-1"));
    assertThat(whileHeld).as("bytes with %d live holds", n).isGreaterThan(n * 100);
    assertThat(after).as("bytes after %d claims finished", n).isLessThan(4_000);
    assertThat(k.block("ml", "day-1").getStatus().getClaimsArrived()).isEqualTo(n);
  }

  private long allocatedCount() {
    return k.client.resources(PrivacyClaim.class).inNamespace("ml").list().getItems().stream()
        .filter(c -> c.getStatus() != null && c.getStatus().getPhase() == ClaimPhase.Allocated)
        .count();
  }

  private static int size(PrivateBlock b) {
    return Serialization.asJson(b).getBytes(StandardCharsets.UTF_8).length;
  }
}
