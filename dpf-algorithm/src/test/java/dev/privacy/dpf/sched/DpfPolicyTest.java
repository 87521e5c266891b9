package dev.privacy.dpf.sched;

import static dev.privacy.dpf.sched.Fixtures.T0;
import static dev.privacy.dpf.sched.Fixtures.at;
import static dev.privacy.dpf.sched.Fixtures.basicBlock;
import static dev.privacy.dpf.sched.Fixtures.claim;
import static dev.privacy.dpf.sched.Fixtures.engine;
import static dev.privacy.dpf.sched.Fixtures.eps;
import static dev.privacy.dpf.sched.Fixtures.grantedIds;
import static dev.privacy.dpf.sched.Fixtures.renyiBlock;
import static org.assertj.core.api.Assertions.assertThat;

import dev.privacy.dpf.budget.Budget;
import dev.privacy.dpf.budget.Orders;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The paper's properties of DPF (section 4), as table tests through the engine. */
class DpfPolicyTest {

  @ParameterizedTest(name = "N={0}, {1} claims of G/N")
  @CsvSource({"1, 1", "4, 4", "10, 10", "100, 100", "8, 8", "7, 6", "3, 2"})
  void grantsFairShareClaimsAmongTheFirstNImmediately(int n, int claims) {
    // When G/N is not a whole number of units (1/7 = 0.142857142857...), each claim's demand rounds
    // up to the next unit and the N-th claim can miss by a few units: the rounding may refuse what
    // exact arithmetic allows, never the reverse. Hence "7, 6".
    // Sharing incentive: a claim among the first N on its block, asking at most G/N, is granted at
    // once, even though the block started fully locked.
    SchedulingEngine e = engine(Policy.dpf(), basicBlock("b", 1.0, new UnlockRule.PerArrival(n)));
    for (int i = 0; i < claims; i++) {
      e.arrive(claim("c" + i, i, eps(1.0 / n), "b"), at(i));
      assertThat(grantedIds(e.pass(at(i)))).as("claim %d of %d", i, n).containsExactly("c" + i);
    }
  }

  @Test
  void grantsFairShareClaimOnSeveralBlocksImmediately() {
    SchedulingEngine e =
        engine(
            Policy.dpf(),
            basicBlock("b1", 1.0, new UnlockRule.PerArrival(4)),
            basicBlock("b2", 2.0, new UnlockRule.PerArrival(4)));
    // a big claim on b2 alone arrives first and waits: it asks more than its fair share
    e.arrive(claim("big", 0, eps(1.5), "b2"), T0);
    assertThat(e.pass(T0).grants()).isEmpty();
    e.arrive(claim("fair", 1, eps(0.25), "b1", "b2"), T0);
    assertThat(grantedIds(e.pass(T0))).containsExactly("fair");
  }

  @Test
  void doesNotGrantClaimAboveItsFairShareBeforeEnoughArrivals() {
    SchedulingEngine e = engine(Policy.dpf(), basicBlock("b", 1.0, new UnlockRule.PerArrival(4)));
    e.arrive(claim("c", 0, eps(0.3), "b"), T0); // needs 0.3, only 0.25 unlocked
    assertThat(e.pass(T0).grants()).isEmpty();
    e.arrive(claim("d", 1, eps(0.2), "b"), T0); // 0.5 unlocked now: d (share 0.2) goes first
    assertThat(grantedIds(e.pass(T0))).containsExactly("d", "c");
  }

  @Test
  void grantsInAscendingDominantShareAndSkipsWhatDoesNotFit() {
    List<String> dpf = grantOrder(Policy.dpf());
    List<String> fcfs = grantOrder(Policy.fcfs());
    // demands 0.5, 0.3, 0.4 on a block with 1.0 unlocked
    assertThat(dpf).containsExactly("c2", "c3"); // 0.3 then 0.4; 0.5 no longer fits
    assertThat(fcfs).containsExactly("c1", "c2"); // 0.5 then 0.3; 0.4 no longer fits
  }

  private static List<String> grantOrder(Policy p) {
    Snapshot s = Snapshot.empty().withBlock(basicBlock("b", 1.0, new UnlockRule.AllAtOnce()));
    s = s.withArrival(claim("c1", 1, eps(0.5), "b"), T0);
    s = s.withArrival(claim("c2", 2, eps(0.3), "b"), T0);
    s = s.withArrival(claim("c3", 3, eps(0.4), "b"), T0);
    return grantedIds(SchedulingPass.run(s, p, T0).decision());
  }

  @Test
  void breaksDominantShareTiesBySecondLargestShareThenArrival() {
    Snapshot s =
        Snapshot.empty()
            .withBlock(basicBlock("b1", 1.0, new UnlockRule.AllAtOnce()))
            .withBlock(basicBlock("b2", 1.0, new UnlockRule.AllAtOnce()))
            .withBlock(basicBlock("b3", 2.0, new UnlockRule.AllAtOnce()));
    // all have dominant share 0.4 (on b1); second shares: x 0.2 (b3: 0.4/2), y 0 (single block)
    // z and w identical, z arrived first
    s = s.withArrival(claim("x", 1, eps(0.4), "b1", "b3"), T0);
    s = s.withArrival(claim("w", 4, eps(0.4), "b1", "b2"), T0);
    s = s.withArrival(claim("y", 2, eps(0.4), "b1"), T0);
    s = s.withArrival(claim("z", 3, eps(0.4), "b1", "b2"), T0);
    SchedulingPass.Result r = SchedulingPass.run(s, Policy.dpf(), T0);
    assertThat(grantedIds(r.decision())).containsExactly("y", "x");
    // z (0.4, 0.4) is ahead of w (0.4, 0.4) by arrival
    assertThat(r.waiting()).extracting(Waiting::claimId).containsExactly("z", "w");
    assertThat(r.waiting()).extracting(Waiting::position).containsExactly(1, 2);
  }

  @Test
  void grantsAllOrNothingAcrossBlocks() {
    SchedulingEngine e =
        engine(
            Policy.dpf(),
            basicBlock("b1", 1.0, new UnlockRule.AllAtOnce()),
            basicBlock("b2", 1.0, new UnlockRule.PerArrival(10)));
    e.arrive(claim("c", 0, eps(0.5), "b1", "b2"), T0); // fits b1, not b2 (0.1 unlocked)
    Decision d = e.pass(T0);
    assertThat(d.grants()).isEmpty();
    assertThat(e.block("b1").orElseThrow().ledger().allocated().isZero()).isTrue();
    assertThat(e.block("b1").orElseThrow().ledger().unlocked())
        .isEqualTo(e.block("b1").orElseThrow().ledger().total());
    Waiting w = e.waiting("c").orElseThrow();
    assertThat(w.blockingBlock()).isEqualTo("b2");
    assertThat(w.message()).contains("block b2").contains("0.1").contains("0.5");
  }

  @Test
  void grantsRenyiClaimThatFitsAtOneOrderOnly() {
    BlockState b = renyiBlock("b", 1.0, 1e-6, new UnlockRule.AllAtOnce());
    Budget cap = b.ledger().total();
    int last = Orders.DEFAULT.size() - 1; // order 64
    double[] demand = new double[Orders.DEFAULT.size()];
    for (int i = 0; i < demand.length; i++) {
      demand[i] = i == last ? cap.value(i) * 0.9 : 1000; // far above capacity everywhere else
    }
    SchedulingEngine e = engine(Policy.dpf(), b);
    e.arrive(claim("c", 0, Budget.curve(Orders.DEFAULT, demand), "b"), T0);
    assertThat(grantedIds(e.pass(T0))).containsExactly("c");
    Budget u = e.block("b").orElseThrow().ledger().unlocked();
    assertThat(u.value(last)).isGreaterThanOrEqualTo(0);
    assertThat(u.value(0)).isNegative(); // other orders went below zero, as RDP allows
  }

  @Test
  void deniesRenyiClaimAboveCapacityAtEveryOrderAsInfeasible() {
    BlockState b = renyiBlock("b", 1.0, 1e-6, new UnlockRule.AllAtOnce());
    double[] demand = new double[Orders.DEFAULT.size()];
    java.util.Arrays.fill(demand, 50);
    SchedulingEngine e = engine(Policy.dpf(), b);
    e.arrive(claim("c", 0, Budget.curve(Orders.DEFAULT, demand), "b"), T0);
    Decision d = e.pass(T0);
    assertThat(d.denials())
        .singleElement()
        .satisfies(
            x -> {
              assertThat(x.reason()).isEqualTo(DenialReason.INFEASIBLE);
              assertThat(x.message())
                  .contains("block b can never fit")
                  .contains("the claim needs 50");
            });
  }

  @Test
  void unlocksLinearlyOverTheLifetimeUnderDpfT() {
    SchedulingEngine e =
        engine(Policy.dpf(), basicBlock("b", 1.0, new UnlockRule.OverTime(Duration.ofSeconds(10))));
    e.arrive(claim("c", 0, eps(0.3), "b"), T0);
    assertThat(e.pass(at(0)).grants()).isEmpty();
    assertThat(e.pass(at(2)).grants()).isEmpty(); // 20% unlocked
    assertThat(e.pass(at(2.999)).grants()).isEmpty();
    // decimal units: 30% of 1.0 is exactly the demand 0.3, so it fits at exactly 3 s
    assertThat(grantedIds(e.pass(at(3)))).containsExactly("c");
    assertThat(e.block("b").orElseThrow().ledger().locked().epsilon()).isEqualTo(0.7);
    e.pass(at(60));
    assertThat(e.block("b").orElseThrow().ledger().locked().isZero()).isTrue();
  }

  @Test
  void deniesClaimPastItsTimeoutAndLetsTheRestThrough() {
    SchedulingEngine e = engine(Policy.dpf(), basicBlock("b", 1.0, new UnlockRule.PerArrival(10)));
    e.arrive(ClaimRequest.of("slow", List.of("b"), eps(0.5), 0, at(5)), T0);
    assertThat(e.pass(at(1)).denials()).isEmpty();
    Decision d = e.pass(at(5));
    assertThat(d.denials())
        .singleElement()
        .satisfies(
            x -> {
              assertThat(x.claimId()).isEqualTo("slow");
              assertThat(x.reason()).isEqualTo(DenialReason.TIMEOUT);
            });
    e.arrive(claim("quick", 1, eps(0.1), "b"), at(6));
    assertThat(grantedIds(e.pass(at(6)))).containsExactly("quick");
  }

  @Test
  void deniesClaimAboveWhatIsNotConsumedAsInfeasible() {
    SchedulingEngine e = engine(Policy.dpf(), basicBlock("b", 1.0, new UnlockRule.AllAtOnce()));
    e.arrive(claim("first", 0, eps(0.7), "b"), T0);
    assertThat(grantedIds(e.pass(T0))).containsExactly("first");
    e.arrive(claim("second", 1, eps(0.5), "b"), T0);
    assertThat(e.pass(T0).grants()).isEmpty(); // waits: 0.7 may still be released
    e.consume("first", null);
    Decision d = e.pass(T0);
    assertThat(d.denials())
        .singleElement()
        .satisfies(
            x -> {
              assertThat(x.reason()).isEqualTo(DenialReason.INFEASIBLE);
              assertThat(x.message()).contains("block b").contains("0.3").contains("0.5");
            });
  }

  @Test
  void releaseGivesTheBudgetBackAndPartialConsumeReturnsTheRemainder() {
    SchedulingEngine e = engine(Policy.dpf(), basicBlock("b", 1.0, new UnlockRule.AllAtOnce()));
    e.arrive(claim("a", 0, eps(0.6), "b"), T0);
    e.pass(T0);
    e.arrive(claim("b1", 1, eps(0.6), "b"), T0);
    assertThat(e.pass(T0).grants()).isEmpty();
    e.consume("a", List.of(eps(0.2))); // spent 0.2 of 0.6: 0.4 comes back
    assertThat(grantedIds(e.pass(T0))).containsExactly("b1");
    e.release("b1");
    var l = e.block("b").orElseThrow().ledger();
    assertThat(l.allocated().isZero()).isTrue();
    assertThat(l.consumed()).isEqualTo(eps(0.2));
  }

  @Test
  void deniesMalformedClaimsWithTheirReasonAndStillGrantsTheRest() {
    SchedulingEngine e =
        engine(
            Policy.dpf(),
            basicBlock("b", 1.0, new UnlockRule.AllAtOnce()),
            renyiBlock("r", 1.0, 1e-6, new UnlockRule.AllAtOnce()));
    e.arrive(claim("none", 0, eps(0.1)), T0);
    e.arrive(claim("ghost", 1, eps(0.1), "nope"), T0);
    e.arrive(claim("twice", 2, eps(0.1), "b", "b"), T0);
    e.arrive(claim("shape", 3, eps(0.1), "r"), T0); // a pair on a Renyi block
    e.arrive(claim("zero", 4, eps(0), "b"), T0);
    e.arrive(claim("good", 5, eps(0.1), "b"), T0);
    Decision d = e.pass(T0);
    assertThat(grantedIds(d)).containsExactly("good");
    assertThat(d.denials())
        .extracting(Denial::claimId, Denial::reason)
        .containsExactly(
            org.assertj.core.groups.Tuple.tuple("ghost", DenialReason.NO_MATCHING_BLOCKS),
            org.assertj.core.groups.Tuple.tuple("none", DenialReason.NO_MATCHING_BLOCKS),
            org.assertj.core.groups.Tuple.tuple("shape", DenialReason.INVALID),
            org.assertj.core.groups.Tuple.tuple("twice", DenialReason.INVALID),
            org.assertj.core.groups.Tuple.tuple("zero", DenialReason.INVALID));
    assertThat(d.denials())
        .filteredOn(x -> x.claimId().equals("shape"))
        .singleElement()
        .satisfies(x -> assertThat(x.message()).contains("block r").contains("Renyi curve"));
  }

  @Test
  void deniesCurveOnOrdersTheBlockLacksAsInvalid() {
    SchedulingEngine e =
        engine(Policy.dpf(), renyiBlock("r", 1.0, 1e-6, new UnlockRule.AllAtOnce()));
    Orders other = Orders.of(2, 4, 8);
    e.arrive(claim("c", 0, Budget.curve(other, 0.1, 0.2, 0.4), "r"), T0);
    Decision d = e.pass(T0);
    assertThat(d.denials())
        .singleElement()
        .satisfies(
            x -> {
              assertThat(x.reason()).isEqualTo(DenialReason.INVALID);
              assertThat(x.message()).contains("[2, 4, 8]").contains("[1.5, 1.75, 2, 2.5");
            });
  }

  @Test
  void malformedClaimDoesNotUnlockBudget() {
    SchedulingEngine e =
        engine(Policy.dpf(), renyiBlock("r", 1.0, 1e-6, new UnlockRule.PerArrival(2)));
    e.arrive(claim("shape", 0, eps(0.1), "r"), T0);
    e.pass(T0);
    assertThat(e.block("r").orElseThrow().arrivals()).isZero();
    assertThat(e.block("r").orElseThrow().ledger().unlocked().isZero()).isTrue();
  }

  @Test
  void claimWithANullDemandIsRefusedNamingClaimAndIndex() {
    java.util.List<Budget> demands = new java.util.ArrayList<>();
    demands.add(eps(0.1));
    demands.add(null);
    org.assertj.core.api.Assertions.assertThatThrownBy(
            () -> new ClaimRequest("c", List.of("a", "b"), demands, 0, null))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("claim c: demands[1] is null");
  }

  @Test
  void claimArrivingBeforeItsBlockIsScheduledOnceTheBlockExists() {
    SchedulingEngine e = new SchedulingEngine(Policy.dpf());
    e.arrive(claim("early", 0, eps(0.1), "late"), T0);
    e.addBlock(basicBlock("late", 1.0, new UnlockRule.AllAtOnce()));
    Snapshot before = e.snapshot();
    Decision d = e.pass(T0);
    assertThat(d).isEqualTo(SchedulingPass.run(before, Policy.dpf(), T0).decision());
    assertThat(grantedIds(d)).containsExactly("early");
  }

  @Test
  void retriedArrivalIsCountedOnce() {
    SchedulingEngine e = engine(Policy.dpf(), basicBlock("b", 1.0, new UnlockRule.PerArrival(4)));
    assertThat(e.arrive(claim("c", 0, eps(0.5), "b"), T0)).isTrue();
    assertThat(e.arrive(claim("c", 0, eps(0.5), "b"), T0)).isFalse();
    assertThat(e.block("b").orElseThrow().arrivals()).isEqualTo(1);
  }

  @Test
  void schedulesOnBlockWhoseCapacityIsZeroAtMostOrders() {
    // eps 0.5, delta 1e-9: only the highest orders have a positive capacity
    BlockState b = renyiBlock("b", 0.5, 1e-9, new UnlockRule.AllAtOnce());
    boolean[] usable = b.ledger().capacity().usable();
    int usableCount = b.ledger().capacity().usableCount();
    assertThat(usableCount).isBetween(1, Orders.DEFAULT.size() / 2);
    Budget demand = dev.privacy.dpf.budget.Mechanisms.gaussian(40, Orders.DEFAULT);
    SchedulingEngine e = engine(Policy.dpf(), b);
    e.arrive(claim("c", 0, demand, "b"), T0);
    assertThat(grantedIds(e.pass(T0))).containsExactly("c");
    double share = b.ledger().share(demand);
    assertThat(share).isFinite().isPositive();
    assertThat(usable[0]).isFalse();
  }
}
