package dev.privacy.dpf.operator;

import static dev.privacy.dpf.operator.TestCluster.block;
import static dev.privacy.dpf.operator.TestCluster.claim;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.privacy.dpf.crds.ClaimPhase;
import dev.privacy.dpf.crds.PrivacyClaim;
import dev.privacy.dpf.crds.PrivateBlock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;

/**
 * A crash injected before each write of a grant, a consume and a release (in turn: the first write,
 * the second, ... until a run has no write left to crash on), then a restart: the state the new
 * scheduler reaches must keep every promise and equal the state of a run without a crash.
 */
class CrashRecoveryTest {

  /** Three blocks, seen by the scheduler. */
  private static void setUp(TestCluster k) {
    for (String d : List.of("d1", "d2", "d3")) {
      k.create(block("ml", d, "clicks", 1.0, "  accounting: Basic\n"));
    }
    // the claims select by data set: let the scheduler see all three blocks first
    for (String d : List.of("d1", "d2", "d3")) {
      await()
          .atMost(Duration.ofSeconds(10))
          .ignoreExceptions()
          .until(() -> k.block("ml", d).getStatus().getLedger() != null);
    }
  }

  /**
   * Claim a on all three blocks, claim b on two of them (granted in the same pass). Part of the
   * scenario when the grant is what crashes, so that the crash hook is in place before the
   * scheduler can see them.
   */
  private static void claims(TestCluster k) {
    k.create(claim("ml", "a", "{dataset: clicks}", "{epsDelta: {epsilon: 0.3}}", ""));
    k.create(
        claim("ml", "b", "{dataset: clicks, names: [d1, d2]}", "{epsDelta: {epsilon: 0.2}}", ""));
  }

  private static final OperatorConfig CFG = TestCluster.config().withPolicy("fcfs");

  /** What is compared between runs: phases and each block's numbers. */
  private static List<String> outcome(TestCluster k) {
    List<String> out = new ArrayList<>();
    for (String c : List.of("a", "b")) {
      PrivacyClaim x = k.claim("ml", c);
      out.add(c + "=" + (x == null ? "gone" : x.getStatus().getPhase()));
    }
    for (String d : List.of("d1", "d2", "d3")) {
      PrivateBlock b = k.block("ml", d);
      out.add(
          d
              + " consumed="
              + b.getStatus().getLedger().getConsumed()
              + " holds="
              + b.getStatus().getLedger().getHolds().size()
              + " allocated="
              + b.getStatus().getAllocated().getEpsilon());
    }
    return out;
  }

  /**
   * Runs {@code scenario} (after {@code prepare} on a clean operator), crashing before write number
   * {@code crashAt} of the scenario (0: never), then restarts and waits for {@code done}.
   *
   * @return the outcome, or null if the scenario made fewer writes than {@code crashAt}
   */
  private static List<String> run(
      Consumer<TestCluster> prepare,
      Consumer<TestCluster> scenario,
      java.util.function.Predicate<TestCluster> done,
      int crashAt) {
    try (TestCluster k = new TestCluster()) {
      DpfOperator first = k.start(CFG);
      setUp(k);
      prepare.accept(k);
      AtomicInteger writes = new AtomicInteger();
      first
          .scheduler()
          .api()
          .hook(
              (kind, target) -> {
                if (writes.incrementAndGet() == crashAt) {
                  throw new Api.SimulatedCrash(kind + " " + target + " (write " + crashAt + ")");
                }
              });
      scenario.accept(k);
      if (crashAt > 0) {
        try {
          await().atMost(Duration.ofSeconds(5)).until(() -> first.scheduler().crashed() != null);
        } catch (org.awaitility.core.ConditionTimeoutException e) {
          return null; // fewer writes than crashAt: every crash point is covered
        }
        first.close();
        Invariants.check(k.client, new Invariants.Watermarks(), false);
        k.start(CFG); // a new process: state rebuilt from the API server only
      }
      await().atMost(Duration.ofSeconds(20)).ignoreExceptions().until(() -> done.test(k));
      await()
          .atMost(Duration.ofSeconds(10))
          .ignoreExceptions()
          .untilAsserted(() -> Invariants.check(k.client, new Invariants.Watermarks()));
      return outcome(k);
    }
  }

  private static void crashEverywhere(
      Consumer<TestCluster> prepare,
      Consumer<TestCluster> scenario,
      java.util.function.Predicate<TestCluster> done) {
    List<String> clean = run(prepare, scenario, done, 0);
    int points = 0;
    for (int crashAt = 1; crashAt < 50; crashAt++) {
      List<String> o = run(prepare, scenario, done, crashAt);
      if (o == null) {
        break;
      }
      points++;
      assertThat(o).as("outcome after a crash before write %d", crashAt).isEqualTo(clean);
    }
    assertThat(points).as("crash points exercised").isGreaterThanOrEqualTo(3);
  }

  private static boolean both(TestCluster k, ClaimPhase a, ClaimPhase b) {
    return k.phase("ml", "a") == a && k.phase("ml", "b") == b;
  }

  @Test
  void aGrantInterruptedAtAnyWriteIsCompletedOrUndone() {
    crashEverywhere(
        k -> {},
        CrashRecoveryTest::claims,
        k -> both(k, ClaimPhase.Allocated, ClaimPhase.Allocated) && settled(k));
  }

  @Test
  void aConsumeInterruptedAtAnyWriteLosesNoSpend() {
    crashEverywhere(
        k -> {
          claims(k);
          k.awaitPhase("ml", "b", ClaimPhase.Allocated);
        },
        k -> k.reportSpend("ml", "a", "{epsDelta: {epsilon: 0.1}}"),
        k -> both(k, ClaimPhase.Consumed, ClaimPhase.Allocated) && settled(k));
  }

  @Test
  void aReleaseInterruptedAtAnyWriteGivesTheBudgetBackOnce() {
    crashEverywhere(
        k -> {
          claims(k);
          k.awaitPhase("ml", "a", ClaimPhase.Allocated);
          k.awaitPhase("ml", "b", ClaimPhase.Allocated);
        },
        k -> k.client.resource(k.claim("ml", "a")).delete(),
        k ->
            k.claim("ml", "a") == null && k.phase("ml", "b") == ClaimPhase.Allocated && settled(k));
  }

  /**
   * Hazard 7: a grant half-written by a scheduler that died, and the claim deleted before a new
   * scheduler starts: the new one undoes the holds and lets the claim go; nothing is spent.
   */
  @Test
  void aClaimDeletedWhileItsGrantIsHalfWrittenIsReleased() {
    try (TestCluster k = new TestCluster()) {
      DpfOperator first = k.start(CFG);
      for (String d : List.of("d1", "d2", "d3")) {
        k.create(block("ml", d, "clicks", 1.0, "  accounting: Basic\n"));
      }
      k.awaitSeen("ml", "d1", "d2", "d3");
      AtomicInteger blockWrites = new AtomicInteger();
      first
          .scheduler()
          .api()
          .hook(
              (kind, target) -> {
                // let the first block write of the grant through, then die
                if (kind.startsWith("PrivateBlock") && blockWrites.incrementAndGet() == 2) {
                  throw new Api.SimulatedCrash(kind + " " + target);
                }
              });
      k.create(claim("ml", "a", "{dataset: clicks}", "{epsDelta: {epsilon: 0.3}}", ""));
      await().atMost(Duration.ofSeconds(10)).until(() -> first.scheduler().crashed() != null);
      first.close();
      long held =
          List.of("d1", "d2", "d3").stream()
              .filter(d -> !k.block("ml", d).getStatus().getLedger().getHolds().isEmpty())
              .count();
      assertThat(held).as("blocks holding the half-written grant").isBetween(1L, 2L);
      assertThat(k.claim("ml", "a").getStatus()).isNull(); // never committed
      k.client.resource(k.claim("ml", "a")).delete(); // its finalizer keeps it for now
      k.start(CFG);
      await().atMost(Duration.ofSeconds(20)).until(() -> k.claim("ml", "a") == null);
      await()
          .atMost(Duration.ofSeconds(10))
          .ignoreExceptions()
          .untilAsserted(
              () -> {
                Invariants.check(k.client, new Invariants.Watermarks());
                for (String d : List.of("d1", "d2", "d3")) {
                  var st = k.block("ml", d).getStatus();
                  assertThat(st.getLedger().getHolds()).isEmpty();
                  assertThat(st.getConsumed().getEpsilon()).isEqualTo(0.0);
                  assertThat(st.getAvailable().getEpsilon()).isEqualTo(1.0);
                }
              });
    }
  }

  /** No hold left of a claim that is not Allocated. */
  private static boolean settled(TestCluster k) {
    try {
      Invariants.check(k.client, new Invariants.Watermarks());
      return true;
    } catch (AssertionError e) {
      return false;
    }
  }
}
