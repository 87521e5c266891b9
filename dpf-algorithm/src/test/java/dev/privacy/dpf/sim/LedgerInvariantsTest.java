package dev.privacy.dpf.sim;

import static org.assertj.core.api.Assertions.assertThat;

import dev.privacy.dpf.budget.Budget;
import dev.privacy.dpf.budget.Conversion;
import dev.privacy.dpf.ledger.BlockLedger;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * SPEC promises 1 and 2 over whole simulated runs: after every event of a run of each workload
 * under each policy, on every block, {@code G = L + U + A + C} exactly, allocated plus consumed
 * stays within capacity (under Rényi accounting at one usable order or more), nothing is negative,
 * and consumed budget never decreases.
 */
class LedgerInvariantsTest {

  private static final Accounting BASIC = Accounting.basic();
  private static final Accounting RENYI = Accounting.renyi(Conversion.CLASSIC);
  private static final Accounting RENYI_TIGHT = Accounting.renyi(Conversion.TIGHT);

  static Stream<Arguments> runs() {
    List<Arguments> out = new ArrayList<>();
    Map<String, Workload> workloads = new java.util.LinkedHashMap<>();
    workloads.put("single-block basic", SingleBlockWorkload.paper(BASIC, 0.75));
    workloads.put(
        "single-block renyi",
        SingleBlockWorkload.paper(RENYI, 0.5).withDuration(Duration.ofSeconds(1500)));
    workloads.put(
        "single-block renyi tight",
        SingleBlockWorkload.paper(RENYI_TIGHT, 0.75).withDuration(Duration.ofSeconds(600)));
    workloads.put(
        "multi-block basic",
        MultiBlockWorkload.paper(BASIC, 0.75).withDuration(Duration.ofSeconds(60)));
    workloads.put(
        "multi-block renyi",
        MultiBlockWorkload.paper(RENYI, 0.75).withDuration(Duration.ofSeconds(4)));
    workloads.put("macro basic", MacroWorkload.paper(BASIC, 0.75).withDays(4));
    workloads.put("macro renyi", MacroWorkload.paper(RENYI, 0.75).withDays(4));
    PolicyCatalog catalog = PolicyCatalog.standard();
    for (Map.Entry<String, Workload> w : workloads.entrySet()) {
      Duration interval = w.getValue().arrivalInterval();
      // N small enough that blocks run out within these short runs
      int n = w.getKey().startsWith("single-block basic") ? 50 : 60;
      if (w.getKey().contains("renyi")) {
        n = w.getKey().startsWith("single") ? 400 : 300;
      }
      for (String p : catalog.names()) {
        PolicyCatalog.Entry e = catalog.get(p);
        if (e.supports(w.getValue().accounting())) {
          out.add(Arguments.of(w.getKey(), w.getValue(), e.factory().create(n, interval)));
        }
      }
    }
    return out.stream();
  }

  @ParameterizedTest(name = "{0}, {2}")
  @MethodSource("runs")
  void ledgerInvariantsHoldAfterEveryEvent(String name, Workload workload, SimPolicy policy) {
    Trace trace = workload.generate(7);
    Map<String, Budget> lastConsumed = new HashMap<>();
    int[] events = new int[1];
    RunResult r =
        Simulator.run(
            trace,
            policy,
            (now, s) -> {
              events[0]++;
              s.forEachLedger((id, l) -> check(id, l, lastConsumed));
            });
    assertThat(events[0]).isGreaterThan(trace.claims().size() / 2);
    assertThat(r.arrived()).isEqualTo(trace.claims().size());
    assertThat(r.granted()).isBetween(1, r.arrived());
    assertThat(r.granted() + r.denied()).isLessThanOrEqualTo(r.arrived());
  }

  private static void check(String id, BlockLedger l, Map<String, Budget> lastConsumed) {
    Budget g = l.total();
    Budget sum = l.locked().plus(l.unlocked()).plus(l.allocated()).plus(l.consumed());
    assertThat(sum).as("G = L + U + A + C on %s", id).isEqualTo(g);
    assertThat(l.locked().isNonNegative()).as("L >= 0 on %s", id).isTrue();
    assertThat(l.allocated().isNonNegative()).as("A >= 0 on %s", id).isTrue();
    assertThat(l.consumed().isNonNegative()).as("C >= 0 on %s", id).isTrue();
    Budget used = l.allocated().plus(l.consumed());
    if (g.kind() == Budget.Kind.BASIC) {
      assertThat(used.fitsEverywhereWithin(g)).as("A + C <= G on %s: %s", id, l).isTrue();
    } else if (!used.isZero()) {
      assertThat(used.fitsWithin(g, l.liveFlags()))
          .as("A + C <= G at one usable order on %s: %s", id, l)
          .isTrue();
    }
    Budget before = lastConsumed.put(id, l.consumed());
    if (before != null) {
      assertThat(l.consumed().minus(before).isNonNegative())
          .as("consumed never decreases on %s", id)
          .isTrue();
    }
  }
}
