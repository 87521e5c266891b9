package dev.privacy.dpf.sim;

import static org.assertj.core.api.Assertions.assertThat;

import dev.privacy.dpf.budget.Budget;
import dev.privacy.dpf.budget.Conversion;
import dev.privacy.dpf.budget.Mechanisms;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The workloads have the parameters of REFERENCE section 3. */
class WorkloadTest {

  @Test
  void singleBlockBasicRunsAbout236ClaimsOnOneBlock() {
    SingleBlockWorkload w = SingleBlockWorkload.paper(Accounting.basic(), 0.75);
    assertThat(w.duration()).isEqualTo(Duration.ofSeconds(236));
    assertThat(w.timeout()).isEqualTo(Duration.ofSeconds(300));
    Trace t = w.generate(1);
    assertThat(t.blocks()).hasSize(1);
    assertThat(t.blocks().get(0).capacity().capacity()).isEqualTo(Budget.epsDelta(1.0, 1e-6));
    assertThat(t.claims().size()).isBetween(190, 290);
    assertThat(t.claims()).allMatch(c -> c.blocks().equals(List.of("b0")));
    long mice = t.claims().stream().filter(SimClaim::mouse).count();
    assertThat((double) mice / t.claims().size()).isBetween(0.6, 0.9);
    SimClaim c = t.claims().get(0);
    assertThat(c.demand()).isEqualTo(Budget.epsDelta(c.mouse() ? 0.01 : 0.1, 1e-9));
    assertThat(c.deadlineNanos()).isEqualTo(c.arrivalNanos() + 300_000_000_000L);
  }

  @Test
  void singleBlockRenyiRunsFor14514Times2Point3625SecondsWithGaussianCurves() {
    SingleBlockWorkload w = SingleBlockWorkload.paper(Accounting.renyi(Conversion.CLASSIC), 1.0);
    assertThat(w.duration()).isEqualTo(Duration.ofSeconds(34289));
    Trace t = w.withDuration(Duration.ofSeconds(50)).generate(1);
    double sigma = Math.sqrt(2 * Math.log(1.25 / 1e-9)) / 0.01;
    assertThat(t.claims().get(0).demand())
        .isEqualTo(Mechanisms.gaussian(sigma, Accounting.PAPER_ORDERS));
    // classic capacity at order 32 of (1, 1e-6): 1 - ln(1e6) / 31
    assertThat(t.blocks().get(0).capacity().capacity().epsilonAt(7))
        .isCloseTo(1 - Math.log(1e6) / 31, org.assertj.core.data.Offset.offset(1e-9));
    assertThat(t.blocks().get(0).capacity().usable(0)).isFalse(); // order 1.000001
  }

  @Test
  void multiBlockAddsABlockEvery10SecondsAndClaimsTakeTheNewest1Or10() {
    MultiBlockWorkload w = MultiBlockWorkload.paper(Accounting.basic(), 0.75);
    assertThat(w.arrivalInterval()).isEqualTo(Duration.ofNanos(78_125_000));
    assertThat(w.timeout()).isEqualTo(Duration.ofNanos(78_125_000L * 1500));
    Trace t = w.generate(5);
    assertThat(t.blocks()).hasSize(11 + 29);
    assertThat(t.blocks().get(11).createdNanos()).isEqualTo(10_000_000_000L);
    assertThat(t.claims().size()).isBetween(3500, 4200);
    for (SimClaim c : t.claims()) {
      int existing = 11 + (int) (c.arrivalNanos() / 10_000_000_000L);
      String newest = "b" + (existing - 1);
      assertThat(c.blocks()).hasSizeBetween(1, 10).endsWith(newest);
      assertThat(c.blocks().size() == 1 || c.blocks().size() == 10).isTrue();
    }
    long one = t.claims().stream().filter(c -> c.blocks().size() == 1).count();
    assertThat((double) one / t.claims().size()).isBetween(0.7, 0.8);
    assertThat(
            MultiBlockWorkload.paper(Accounting.renyi(Conversion.CLASSIC), 0.75).arrivalInterval())
        .isEqualTo(Duration.ofNanos(4_264_781));
  }

  @Test
  void macroHasADailyBlockAnd300ClaimsADayOnUpTo500RecentBlocks() {
    MacroWorkload w = MacroWorkload.paper(Accounting.basic(), 0.75);
    Trace t = w.generate(2);
    assertThat(t.blocks()).hasSize(50);
    assertThat(t.blocks().get(0).capacity().capacity()).isEqualTo(Budget.epsDelta(10, 1e-7));
    assertThat(t.claims().size()).isBetween(14_000, 16_000);
    for (SimClaim c : t.claims()) {
      int existing = 1 + (int) (c.arrivalNanos() / Duration.ofDays(1).toNanos());
      assertThat(c.blocks()).hasSizeBetween(1, existing).endsWith("day" + (existing - 1));
      assertThat(c.mouse() ? List.of(0.01, 0.05, 0.1) : List.of(0.5, 1.0, 5.0))
          .contains(c.epsilon());
      assertThat(c.deadlineNanos() - c.arrivalNanos()).isEqualTo(Duration.ofDays(5).toNanos());
    }
  }

  @Test
  void sweepsUseThePapersValuesOfN() {
    assertThat(Experiment.SINGLE_BLOCK_BASIC.ns())
        .containsExactly(1, 10, 50, 75, 100, 125, 175, 200, 225, 275, 325);
    assertThat(Experiment.SINGLE_BLOCK_RDP.ns())
        .containsExactly(1, 1451, 7257, 10885, 14514, 18142, 25399, 29028, 32656, 39913, 47170);
    assertThat(Experiment.MULTI_BLOCK_BASIC.ns())
        .containsExactly(
            1, 10, 50, 75, 100, 125, 175, 210, 275, 325, 375, 750, 1125, 1500, 3000, 6000, 10000);
    assertThat(Experiment.MULTI_BLOCK_RDP.ns()).containsExactly(1, 1451, 7257, 14514, 30479);
    assertThat(Experiment.ns(14514, List.of(0.1, 0.5, 0.75, 1.0, 1.25, 1.75, 2.1)))
        .containsExactly(1, 1451, 7257, 10885, 14514, 18142, 25399, 30479);
  }
}
