package dev.privacy.dpf.demo;

import dev.privacy.dpf.budget.BlockCapacity;
import dev.privacy.dpf.budget.Budget;
import dev.privacy.dpf.budget.Conversion;
import dev.privacy.dpf.budget.Mechanisms;
import dev.privacy.dpf.budget.Orders;
import dev.privacy.dpf.ledger.BlockLedger;
import dev.privacy.dpf.sched.BlockState;
import dev.privacy.dpf.sched.ClaimRequest;
import dev.privacy.dpf.sched.Decision;
import dev.privacy.dpf.sched.Denial;
import dev.privacy.dpf.sched.Grant;
import dev.privacy.dpf.sched.Policy;
import dev.privacy.dpf.sched.SchedulingEngine;
import dev.privacy.dpf.sched.UnlockRule;
import dev.privacy.dpf.sched.Waiting;
import java.io.PrintStream;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * A small demonstration of the scheduling core: three daily blocks under DPF-N, one of them with
 * Rényi accounting, and a stream of claims (mice and elephants, on one or several blocks). Prints
 * what each pass decides and ends with the budget left on each block.
 */
public final class CoreDemo {

  private static final Instant T0 = Instant.parse("2026-11-01T00:00:00Z");

  private final PrintStream out;
  private final SchedulingEngine engine = new SchedulingEngine(Policy.dpf());
  private final Map<String, String> status = new LinkedHashMap<>();
  private final Map<String, String> why = new LinkedHashMap<>();

  CoreDemo(PrintStream out) {
    this.out = out;
  }

  /** Runs the demonstration on standard output. */
  public static void main(String[] args) {
    new CoreDemo(System.out).run();
  }

  void run() {
    out.println(
        "DPF scheduling core: 3 blocks, policy DPF-N with N = 4 (each arrival unlocks G/4)");
    out.println();
    UnlockRule dpfN = new UnlockRule.PerArrival(4);
    engine.addBlock(BlockState.create("day-1", BlockCapacity.basic(1.0, 1e-6), dpfN, T0));
    engine.addBlock(BlockState.create("day-2", BlockCapacity.basic(1.0, 1e-6), dpfN, T0));
    engine.addBlock(
        BlockState.create(
            "day-3-rdp",
            BlockCapacity.renyi(10, 1e-7, Orders.DEFAULT, Conversion.TIGHT),
            dpfN,
            T0));

    arrive("elephant-a", List.of("day-1", "day-2"), Budget.epsDelta(0.5, 0));
    arrive("mouse-b", List.of("day-1"), Budget.epsDelta(0.1, 0));
    arrive("mouse-c", List.of("day-2"), Budget.epsDelta(0.2, 0));
    arrive("elephant-d", List.of("day-1", "day-2"), Budget.epsDelta(0.4, 0));
    arrive("too-big", List.of("day-2"), Budget.epsDelta(1.5, 0));
    arrive(
        "dp-sgd-e",
        List.of("day-3-rdp"),
        Mechanisms.subsampledGaussian(0.01, 1.1, 1000, Orders.DEFAULT));
    arrive("gaussian-f", List.of("day-3-rdp"), Mechanisms.gaussian(2.0, Orders.DEFAULT));
    out.println();
    out.println("* elephant-d finishes, having spent only 0.2 of its 0.4 on each block");
    engine.consume("elephant-d", List.of(Budget.epsDelta(0.2, 0), Budget.epsDelta(0.2, 0)));
    status.put("elephant-d", "Consumed");
    report(engine.pass(T0));
    arrive("mouse-g", List.of("day-1"), Budget.epsDelta(0.05, 0));
    out.println("* mouse-b is cancelled before its job starts: its grant goes back");
    engine.release("mouse-b");
    status.put("mouse-b", "Released");
    report(engine.pass(T0));

    out.println();
    out.println("Claims:");
    out.printf(Locale.ROOT, "  %-12s %-10s %s%n", "CLAIM", "PHASE", "WHY");
    for (Map.Entry<String, String> e : status.entrySet()) {
      String reason = why.getOrDefault(e.getKey(), "");
      out.printf(Locale.ROOT, "  %-12s %-10s %s%n", e.getKey(), e.getValue(), reason);
    }
    out.println();
    out.println("Blocks (epsilon; for the Renyi block, at order 8):");
    out.printf(
        Locale.ROOT,
        "  %-10s %9s %9s %9s %9s %9s%n",
        "BLOCK",
        "CAPACITY",
        "LOCKED",
        "UNLOCKED",
        "ALLOCATED",
        "CONSUMED");
    for (String id : List.of("day-1", "day-2", "day-3-rdp")) {
      BlockLedger l = engine.block(id).orElseThrow().ledger();
      int dim = l.total().kind() == Budget.Kind.BASIC ? 0 : 8;
      out.printf(
          Locale.ROOT,
          "  %-10s %9s %9s %9s %9s %9s%n",
          id,
          fmt(l.total(), dim),
          fmt(l.locked(), dim),
          fmt(l.unlocked(), dim),
          fmt(l.allocated(), dim),
          fmt(l.consumed(), dim));
    }
  }

  private void arrive(String id, List<String> blocks, Budget demand) {
    long seq = status.size();
    engine.arrive(ClaimRequest.of(id, blocks, demand, seq, null), T0);
    status.put(id, "Pending");
    out.printf(Locale.ROOT, "+ %-11s arrives on %-18s demand %s%n", id, blocks, brief(demand));
    report(engine.pass(T0));
  }

  private void report(Decision d) {
    reportDecision(d);
    for (Waiting w : engine.waiting()) {
      out.printf(
          Locale.ROOT, "    waiting   %s (#%d): %s%n", w.claimId(), w.position(), w.message());
    }
  }

  private void reportDecision(Decision d) {
    for (Grant g : d.grants()) {
      status.put(g.claimId(), "Allocated");
      out.printf(Locale.ROOT, "    granted   %s%n", g.claimId());
    }
    for (Denial x : d.denials()) {
      status.put(x.claimId(), "Denied");
      why.put(x.claimId(), x.reason().camelCase());
      out.printf(
          Locale.ROOT,
          "    denied    %s (%s): %s%n",
          x.claimId(),
          x.reason().camelCase(),
          x.message());
    }
  }

  private static String brief(Budget b) {
    if (b.kind() == Budget.Kind.BASIC) {
      return "epsilon " + Budget.format(b.epsilon());
    }
    return "Renyi curve, epsilon "
        + Budget.format(Conversion.TIGHT.toEpsilon(b, 1e-7).epsilon())
        + " at delta 1e-7";
  }

  private static String fmt(Budget b, int dim) {
    return Budget.format(b.value(dim));
  }
}
