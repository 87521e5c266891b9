package dev.privacy.dpf.sim;

import static org.assertj.core.api.Assertions.assertThat;

import dev.privacy.dpf.budget.Conversion;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Consuming grants in batches (what {@link EnginePolicy} does by default, to save the engine a scan
 * of the waiting claims after every consumption) grants exactly the same claims at exactly the same
 * times as consuming each grant at once.
 */
class BatchedConsumptionTest {

  @Test
  void batchedAndImmediateConsumptionGrantTheSameClaimsAtTheSameTimes() {
    List<Trace> traces =
        List.of(
            SingleBlockWorkload.paper(Accounting.basic(), 0.75).generate(3),
            SingleBlockWorkload.paper(Accounting.renyi(Conversion.CLASSIC), 0.5)
                .withDuration(Duration.ofSeconds(2000))
                .generate(3),
            MultiBlockWorkload.paper(Accounting.basic(), 0.75)
                .withDuration(Duration.ofSeconds(80))
                .generate(3),
            MacroWorkload.paper(Accounting.renyi(Conversion.TIGHT), 0.75).withDays(5).generate(3));
    List<EnginePolicy> policies =
        List.of(
            EnginePolicy.fcfs(),
            EnginePolicy.dpfN(50),
            EnginePolicy.dpfN(400),
            EnginePolicy.dpfT(Duration.ofSeconds(60)));
    for (Trace t : traces) {
      for (EnginePolicy p : policies) {
        RunResult batched = Simulator.run(t, p);
        RunResult immediate = Simulator.run(t, p.withConsumeBatch(Duration.ZERO));
        assertThat(batched.granted()).as(p.describe()).isPositive();
        assertThat(batched.granted()).as(p.describe()).isEqualTo(immediate.granted());
        assertThat(batched.grantedMice()).as(p.describe()).isEqualTo(immediate.grantedMice());
        assertThat(batched.delaysNanos()).as(p.describe()).isEqualTo(immediate.delaysNanos());
      }
    }
  }
}
