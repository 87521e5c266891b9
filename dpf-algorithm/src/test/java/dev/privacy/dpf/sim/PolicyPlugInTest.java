package dev.privacy.dpf.sim;

import static org.assertj.core.api.Assertions.assertThat;

import dev.privacy.dpf.sched.Policy;
import dev.privacy.dpf.sched.UnlockRule;
import java.util.List;
import org.junit.jupiter.api.Test;

/** A new policy plugs into the sweep through the catalog, without touching the simulator. */
class PolicyPlugInTest {

  @Test
  void aNewEnginePolicyRunsInASweep() {
    // "fifo-n": DPF-N's unlocking, but claims served in arrival order and left waiting
    PolicyCatalog catalog =
        PolicyCatalog.standard()
            .with(
                new PolicyCatalog.Entry(
                    "fifo-n",
                    true,
                    false,
                    false,
                    (n, interval) ->
                        new EnginePolicy(
                            "fifo-n",
                            "fifo-n N=" + n,
                            new UnlockRule.PerArrival(n),
                            Policy.fcfs(),
                            EnginePolicy.Admission.WAIT)));
    List<Sweep.Run> runs =
        Experiment.SINGLE_BLOCK_BASIC.runs(
            List.of(Accounting.basic()),
            List.of(0.75),
            List.of("fifo-n", "dpf-n"),
            List.of(200),
            List.of(1L),
            catalog,
            1);
    List<Sweep.Outcome> out = Sweep.run(runs, 1, line -> {});
    assertThat(out).hasSize(2);
    RunResult fifo = out.get(0).result();
    RunResult dpf = out.get(1).result();
    assertThat(out.get(0).run().build().describe()).isEqualTo("fifo-n N=200");
    assertThat(fifo.granted()).isPositive();
    assertThat(fifo.arrived()).isEqualTo(dpf.arrived()); // the same trace
    assertThat(Reports.table(out)).contains("| fifo-n |");
  }

  @Test
  void aHandWrittenPolicyRunsOnTheSimulator() {
    // the simplest possible policy: deny everything on arrival
    SimPolicy denyAll =
        new SimPolicy() {
          @Override
          public String name() {
            return "deny-all";
          }

          @Override
          public String describe() {
            return "deny-all";
          }

          @Override
          public SimScheduler start(Trace trace) {
            return new SimScheduler() {
              @Override
              public void addBlock(SimBlock block, long nowNanos) {}

              @Override
              public void arrive(SimClaim claim, long nowNanos, Outcomes out) {
                out.denied(claim.index(), nowNanos);
              }

              @Override
              public void forEachLedger(
                  java.util.function.BiConsumer<String, dev.privacy.dpf.ledger.BlockLedger> a) {}
            };
          }
        };
    Trace t = SingleBlockWorkload.paper(Accounting.basic(), 0.75).generate(1);
    RunResult r = Simulator.run(t, denyAll);
    assertThat(r.granted()).isZero();
    assertThat(r.denied()).isEqualTo(t.claims().size());
  }
}
