package dev.privacy.dpf.sim;

import static org.assertj.core.api.Assertions.assertThat;

import dev.privacy.dpf.budget.Conversion;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The same sweep with the same seeds writes the same CSV files, byte for byte. */
class DeterminismTest {

  private static List<Sweep.Outcome> sweep(List<Long> seeds) {
    List<Sweep.Run> runs =
        Experiment.SINGLE_BLOCK_BASIC.runs(
            List.of(Accounting.basic()),
            List.of(0.25, 0.75),
            List.of("fcfs", "dpf-n", "dpf-t", "rr-n", "rr-t"),
            List.of(1, 75, 200),
            seeds,
            PolicyCatalog.standard(),
            1);
    runs.addAll(
        Experiment.MULTI_BLOCK_RDP.runs(
            List.of(Accounting.renyi(Conversion.CLASSIC)),
            List.of(0.75),
            List.of("fcfs", "dpf-n"),
            List.of(1451),
            seeds,
            PolicyCatalog.standard(),
            0.01));
    return Sweep.run(runs, 2, line -> {});
  }

  @Test
  void sameSeedsGiveIdenticalCsvBytes() {
    List<Sweep.Outcome> a = sweep(List.of(1L, 2L));
    List<Sweep.Outcome> b = sweep(List.of(1L, 2L));
    assertThat(Reports.results(b)).isEqualTo(Reports.results(a));
    assertThat(Reports.summary(b)).isEqualTo(Reports.summary(a));
    assertThat(Reports.delays(b)).isEqualTo(Reports.delays(a));
    assertThat(Reports.results(a).lines()).hasSize(1 + 2 * (1 + 4 * 3) * 2 + 2 * 2);
  }

  @Test
  void anotherSeedGivesAnotherTrace() {
    Workload w = SingleBlockWorkload.paper(Accounting.basic(), 0.75);
    assertThat(w.generate(1)).isEqualTo(w.generate(1));
    assertThat(w.generate(2).claims()).isNotEqualTo(w.generate(1).claims());
  }
}
