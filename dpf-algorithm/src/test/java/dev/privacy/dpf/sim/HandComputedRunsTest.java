package dev.privacy.dpf.sim;

import static dev.privacy.dpf.sim.SimFixtures.SECOND;
import static dev.privacy.dpf.sim.SimFixtures.claim;
import static dev.privacy.dpf.sim.SimFixtures.trace;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.privacy.dpf.budget.Budget;
import dev.privacy.dpf.budget.Conversion;
import dev.privacy.dpf.ledger.BlockLedger;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Tiny runs whose outcome is worked out by hand in the comments: which claims are granted, when,
 * and what is left on the block.
 */
class HandComputedRunsTest {

  /** Records grants and denials as "granted c1 at 2.0" lines, and the last ledgers. */
  private static final class Recording implements SimPolicy {
    final SimPolicy inner;
    final List<String> log = new ArrayList<>();
    final Map<String, BlockLedger> ledgers = new HashMap<>();

    Recording(SimPolicy inner) {
      this.inner = inner;
    }

    @Override
    public String name() {
      return inner.name();
    }

    @Override
    public String describe() {
      return inner.describe();
    }

    @Override
    public SimScheduler start(Trace trace) {
      SimScheduler s = inner.start(trace);
      Outcomes[] wrap = new Outcomes[1];
      return new SimScheduler() {
        @Override
        public void addBlock(SimBlock block, long nowNanos) {
          s.addBlock(block, nowNanos);
          snapshot();
        }

        @Override
        public void arrive(SimClaim claim, long nowNanos, Outcomes out) {
          s.arrive(claim, nowNanos, logging(out));
          snapshot();
        }

        @Override
        public long tickNanos() {
          return s.tickNanos();
        }

        @Override
        public void tick(long nowNanos, Outcomes out) {
          s.tick(nowNanos, logging(out));
          snapshot();
        }

        @Override
        public boolean wantsDeadlines() {
          return s.wantsDeadlines();
        }

        @Override
        public void deadline(SimClaim claim, long nowNanos, Outcomes out) {
          s.deadline(claim, nowNanos, logging(out));
          snapshot();
        }

        @Override
        public void forEachLedger(java.util.function.BiConsumer<String, BlockLedger> action) {
          s.forEachLedger(action);
        }

        private void snapshot() {
          s.forEachLedger(ledgers::put);
        }

        private Outcomes logging(Outcomes out) {
          return new Outcomes() {
            @Override
            public void granted(int claimIndex, long nowNanos) {
              log.add("granted c" + claimIndex + " at " + (double) nowNanos / SECOND);
              out.granted(claimIndex, nowNanos);
            }

            @Override
            public void denied(int claimIndex, long nowNanos) {
              log.add("denied c" + claimIndex + " at " + (double) nowNanos / SECOND);
              out.denied(claimIndex, nowNanos);
            }
          };
        }
      };
    }
  }

  private static double eps(Budget b) {
    return b.epsilon();
  }

  // One block of epsilon 1; an elephant of 0.9 arrives first, then two mice of 0.3.
  private static final Trace ELEPHANT_THEN_MICE =
      trace(10, claim(0, 1, 0.9), claim(1, 2, 0.3), claim(2, 3, 0.3));

  @Test
  void fcfsGrantsTheFirstClaimThatFitsAndRejectsTheRest() {
    // Everything is unlocked: c0 (0.9) is granted on arrival; 0.1 is left, so c1 and c2 (0.3)
    // are rejected on arrival.
    Recording p = new Recording(EnginePolicy.fcfs());
    RunResult r = Simulator.run(ELEPHANT_THEN_MICE, p);
    assertThat(p.log).containsExactly("granted c0 at 1.0", "denied c1 at 2.0", "denied c2 at 3.0");
    assertThat(r.granted()).isEqualTo(1);
    assertThat(r.delaysNanos()).containsExactly(0);
    assertThat(eps(p.ledgers.get("b0").consumed())).isEqualTo(0.9);
  }

  @Test
  void dpfNGrantsTheSmallClaimsFirst() {
    // N = 3: each arrival unlocks ceil(1/3). t=1: 1/3 unlocked, c0 (0.9) waits. t=2: 2/3
    // unlocked; by dominant share c1 (0.3) goes first and is granted; c0 still does not fit.
    // t=3: all unlocked, c1's grant is consumed (0.7 left): c2 (0.3) is granted and c0 can never
    // fit and is denied. Two grants against FCFS's one, both without delay.
    Recording p = new Recording(EnginePolicy.dpfN(3));
    RunResult r = Simulator.run(ELEPHANT_THEN_MICE, p);
    assertThat(p.log).containsExactly("granted c1 at 2.0", "granted c2 at 3.0", "denied c0 at 3.0");
    assertThat(r.granted()).isEqualTo(2);
    assertThat(r.grantedMice()).isZero(); // 0.3 is not a "mouse" in this fixture (eps < 0.05)
    assertThat(r.delaysNanos()).containsExactly(0, 0);
    BlockLedger l = p.ledgers.get("b0");
    assertThat(eps(l.locked())).isZero();
    assertThat(eps(l.allocated()) + eps(l.consumed())).isEqualTo(0.6);
  }

  @Test
  void dpfNGrantsAWaitingClaimWhenLaterArrivalsUnlockEnough() {
    // N = 4, G = 1: c0 wants 0.5. t=1: 0.25 unlocked, waits; t=2 (c1, 0.1): 0.5 unlocked, c1
    // (smaller share) is granted first, leaving 0.4; t=3 (c2, 0.1): 0.75 unlocked, 0.65 free:
    // c2 then c0 are granted. c0 waited 2 s.
    Trace t = trace(10, claim(0, 1, 0.5), claim(1, 2, 0.1), claim(2, 3, 0.1));
    Recording p = new Recording(EnginePolicy.dpfN(4));
    RunResult r = Simulator.run(t, p);
    assertThat(p.log)
        .containsExactly("granted c1 at 2.0", "granted c2 at 3.0", "granted c0 at 3.0");
    assertThat(r.delaysNanos()).containsExactly(0, 0, 2 * SECOND);
    assertThat(r.delayPercentileSeconds(100)).isEqualTo(2.0);
  }

  @Test
  void dpfTUnlocksOnTheTimerTick() {
    // T = 10 s: the block unlocks 0.1 a second; passes run on arrivals and on a 1 s tick. c0
    // (0.5) arrives at 1 s and is granted on the tick at 5 s, when 0.5 is unlocked.
    Trace t = trace(10, claim(0, 1, 0.5));
    Recording p = new Recording(EnginePolicy.dpfT(Duration.ofSeconds(10)));
    RunResult r = Simulator.run(t, p);
    assertThat(p.log).containsExactly("granted c0 at 5.0");
    assertThat(r.delaysNanos()).containsExactly(4 * SECOND);
    // at 9 s (the last tick before the end at 10 s) 0.9 is unlocked
    assertThat(eps(p.ledgers.get("b0").locked())).isEqualTo(0.1);
  }

  @Test
  void timedOutClaimsAreNeverGranted() {
    // DPF-T, T = 10 s: c0 (0.5) would fit at 5 s but times out at 3 s.
    SimClaim c =
        new SimClaim(0, SECOND, List.of("b0"), Budget.epsDelta(0.5, 0), 0.5, false, 3 * SECOND);
    Trace t = new Trace(List.of(SimFixtures.block()), List.of(c), 10 * SECOND, SECOND);
    Recording p = new Recording(EnginePolicy.dpfT(Duration.ofSeconds(10)));
    RunResult r = Simulator.run(t, p);
    assertThat(r.granted()).isZero();
    assertThat(p.log).containsExactly("denied c0 at 3.0");
  }

  @Test
  void roundRobinNAccumulatesAndLosesWhatADeniedClaimHeld() {
    // RR-N, N = 2, G = 1. t=1: 0.5 unlocked, c0 (0.4) takes 0.4, granted, 0.1 left. t=2: 0.5
    // more, 0.6 free: c1 (0.4) granted, 0.2 left. t=3: fully unlocked, c2 (0.3) takes the 0.2
    // and still needs 0.1: nothing more will come, so it is denied and its 0.2 is lost.
    Trace t = trace(10, claim(0, 1, 0.4), claim(1, 2, 0.4), claim(2, 3, 0.3));
    Recording p = new Recording(RoundRobinPolicy.perArrival(2));
    RunResult r = Simulator.run(t, p);
    assertThat(p.log).containsExactly("granted c0 at 1.0", "granted c1 at 2.0", "denied c2 at 3.0");
    assertThat(r.granted()).isEqualTo(2);
    BlockLedger l = p.ledgers.get("b0");
    assertThat(eps(l.consumed())).isEqualTo(1.0);
    assertThat(eps(l.unlocked())).isZero();
    assertThat(eps(l.allocated())).isZero();
  }

  @Test
  void roundRobinTSplitsEvenlyAndRedistributesWhatASmallClaimLeaves() {
    // RR-T, T = 10 s: 0.1 unlocks on each 1 s tick. c0 wants 0.3, c1 0.02.
    // t=1: even split 0.05 each; c1 needs only 0.02 (granted), the 0.03 it leaves goes to c0
    // (0.08). t=2: 0.18; t=3: 0.28; t=4: c0 takes 0.02 of the 0.1 and is granted, 0.08 stays
    // unlocked. The run ends at 4.5 s.
    Trace t = trace(4.5, claim(0, 0.5, 0.3), claim(1, 0.6, 0.02));
    Recording p = new Recording(RoundRobinPolicy.overTime(Duration.ofSeconds(10)));
    RunResult r = Simulator.run(t, p);
    assertThat(p.log).containsExactly("granted c1 at 1.0", "granted c0 at 4.0");
    BlockLedger l = p.ledgers.get("b0");
    assertThat(eps(l.consumed())).isEqualTo(0.32);
    assertThat(eps(l.unlocked())).isEqualTo(0.08);
    assertThat(eps(l.locked())).isEqualTo(0.6);
    assertThat(r.delaysNanos()).containsExactly(400_000_000L, 3_500_000_000L);
  }

  @Test
  void roundRobinRefusesRenyiBlocks() {
    Trace t =
        SingleBlockWorkload.paper(Accounting.renyi(Conversion.CLASSIC), 0.75)
            .withDuration(Duration.ofSeconds(5))
            .generate(1);
    assertThatThrownBy(() -> Simulator.run(t, RoundRobinPolicy.perArrival(10)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("basic accounting only");
  }

  @Test
  void nothingHappensAtOrAfterTheEnd() {
    Trace t = trace(2, claim(0, 1, 0.1), claim(1, 2, 0.1));
    RunResult r = Simulator.run(t, EnginePolicy.fcfs());
    assertThat(r.arrived()).isEqualTo(1);
    assertThat(r.granted()).isEqualTo(1);
  }
}
