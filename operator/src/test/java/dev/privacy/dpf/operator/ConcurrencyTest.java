package dev.privacy.dpf.operator;

import static dev.privacy.dpf.operator.TestCluster.block;
import static dev.privacy.dpf.operator.TestCluster.claim;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.privacy.dpf.crds.ClaimPhase;
import dev.privacy.dpf.crds.PrivacyClaim;
import io.fabric8.mockwebserver.http.MockResponse;
import java.time.Duration;
import java.util.List;
import java.util.Random;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Two writers, injected conflicts and server errors: nothing over-allocated, nothing lost. */
class ConcurrencyTest {
  final TestCluster k = new TestCluster();

  @AfterEach
  void stop() {
    k.close();
  }

  private void blocks(int n) {
    for (int i = 0; i < n; i++) {
      k.create(block("ml", "d" + i, "clicks", 1.0, "  accounting: Basic\n"));
    }
    for (int i = 0; i < n; i++) {
      k.awaitSeen("ml", "d" + i);
    }
  }

  private List<PrivacyClaim> claims() {
    return k.client.resources(PrivacyClaim.class).inNamespace("ml").list().getItems();
  }

  private boolean allDecided(int n) {
    List<PrivacyClaim> cs = claims();
    return cs.size() == n
        && cs.stream()
            .allMatch(
                c ->
                    c.getStatus() != null
                        && (c.getStatus().getPhase() == ClaimPhase.Allocated
                            || c.getStatus().getPhase() == ClaimPhase.Denied));
  }

  /**
   * Two schedulers running at once (what a leader hand-over can look like: the old leader still
   * writing) on claims that together need twice the budget: the conditional writes let only grants
   * that fit through.
   */
  @Test
  void twoSchedulersAtOnceNeverOverAllocate() {
    OperatorConfig cfg = TestCluster.config().withPolicy("fcfs");
    k.start(cfg);
    k.start(cfg);
    blocks(2);
    for (int i = 0; i < 20; i++) {
      k.create(
          claim(
              "ml", "c" + i, "{dataset: clicks}", "{epsDelta: {epsilon: 0.1}}", "  timeout: 5s\n"));
    }
    await().atMost(Duration.ofSeconds(30)).until(() -> allDecided(20));
    await()
        .atMost(Duration.ofSeconds(10))
        .ignoreExceptions()
        .untilAsserted(() -> Invariants.check(k.client, new Invariants.Watermarks()));
    long allocated =
        claims().stream().filter(c -> c.getStatus().getPhase() == ClaimPhase.Allocated).count();
    assertThat(allocated).isEqualTo(10); // 10 x 0.1 fill each block exactly once
  }

  /** Conflicts and 5xx answers on a fifth of the writes: retried or rebuilt, nothing lost. */
  @Test
  void injectedConflictsAndServerErrorsLoseNothing() {
    Random r = new Random(42);
    AtomicInteger injected = new AtomicInteger();
    k.server
        .dispatcher()
        .intercept(
            req -> {
              boolean write =
                  List.of("PUT", "PATCH").contains(req.getMethod()); // the operator's writes
              if (!write || !req.getPath().contains("dpf.privacy.dev")) {
                return null;
              }
              synchronized (r) {
                if (r.nextInt(5) != 0) {
                  return null;
                }
                injected.incrementAndGet();
                int code = r.nextBoolean() ? 409 : 503;
                return new MockResponse()
                    .setResponseCode(code)
                    .setBody(
                        "{\"kind\":\"Status\",\"apiVersion\":\"v1\",\"status\":\"Failure\",\"code\":"
                            + code
                            + "}");
              }
            });
    k.start(TestCluster.config().withPolicy("fcfs"));
    blocks(3);
    for (int i = 0; i < 10; i++) { // 10 x 0.1 fill each block
      k.create(claim("ml", "c" + i, "{dataset: clicks}", "{epsDelta: {epsilon: 0.1}}", ""));
    }
    try {
      await().atMost(Duration.ofSeconds(60)).until(() -> allDecided(10));
    } catch (org.awaitility.core.ConditionTimeoutException e) {
      throw new AssertionError(
          "not all decided: "
              + claims().stream()
                  .map(
                      c ->
                          c.getMetadata().getName()
                              + " "
                              + (c.getStatus() == null ? null : c.getStatus().getPhase())
                              + " "
                              + c.getMetadata().getFinalizers())
                  .toList(),
          e);
    }
    assertThat(claims())
        .allSatisfy(c -> assertThat(c.getStatus().getPhase()).isEqualTo(ClaimPhase.Allocated));
    // half of them report a spend, still under faults: every spend lands exactly once
    for (int i = 0; i < 5; i++) {
      String name = "c" + i;
      await()
          .atMost(Duration.ofSeconds(10))
          .ignoreExceptions()
          .until(
              () -> {
                PrivacyClaim c = k.claim("ml", name);
                c.getSpec().setSpent(Yaml.demand("{epsDelta: {epsilon: 0.05}}"));
                k.client.resource(c).update();
                return true;
              });
    }
    for (int i = 0; i < 5; i++) {
      k.awaitPhase("ml", "c" + i, ClaimPhase.Consumed);
    }
    k.server.dispatcher().intercept(null);
    await()
        .atMost(Duration.ofSeconds(10))
        .ignoreExceptions()
        .untilAsserted(
            () -> {
              Invariants.check(k.client, new Invariants.Watermarks());
              for (int i = 0; i < 3; i++) {
                var st = k.block("ml", "d" + i).getStatus();
                assertThat(st.getLedger().getConsumed())
                    .as(
                        "d%d ledger %s",
                        i, io.fabric8.kubernetes.client.utils.Serialization.asJson(st.getLedger()))
                    .containsExactly(50_000_000_000L * 5, 0L);
                assertThat(st.getConsumed().getEpsilon()).isEqualTo(0.25);
                assertThat(st.getAllocated().getEpsilon()).isEqualTo(0.5);
                assertThat(st.getLedger().getHolds()).hasSize(5);
              }
            });
    assertThat(injected.get()).isGreaterThan(5);
  }
}
