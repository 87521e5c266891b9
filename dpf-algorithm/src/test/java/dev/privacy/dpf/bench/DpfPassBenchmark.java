package dev.privacy.dpf.bench;

import dev.privacy.dpf.sched.Policy;
import dev.privacy.dpf.sched.SchedulingEngine;
import dev.privacy.dpf.sched.SchedulingPass;
import dev.privacy.dpf.sched.Snapshot;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Target 1 (docs/performance.md): one full DPF pass, {@link SchedulingPass#run}, over {@value
 * Workload#CLAIMS} waiting claims on {@value Workload#BLOCKS} blocks, single-threaded. Targets: 200
 * ms under basic accounting, 1 s under Rényi accounting over the 12 default orders.
 *
 * <p>Two starting states ({@code state} parameter; see {@link Workload}):
 *
 * <ul>
 *   <li>{@code backlog}: 100,000 claims arrived and no pass ran yet. The pass validates, ranks and
 *       sorts all of them and grants a good part (about 46% with N = 300 under basic accounting):
 *       the heaviest pass, e.g. the first one after a restart with a long queue.
 *   <li>{@code steady}: right after a pass, 100,000 claims wait and none fits. The pass does all
 *       the per-claim work (validation, shares, sort, one fit test each, a waiting reason each) but
 *       grants nothing.
 * </ul>
 *
 * {@link SchedulingPass#run} is a pure function of the snapshot, so one snapshot can serve every
 * invocation. A snapshot resolves its waiting claims against its blocks on its first pass (its flat
 * index: block indices, demand units, shares, the policy's order) and the snapshot a pass returns
 * inherits it, so which pass is measured matters ({@code index} parameter):
 *
 * <ul>
 *   <li>{@code carried}: the snapshot already holds its index (built by the untimed pass of the
 *       setup), as every pass but the first does when each pass runs on the previous pass's result;
 *   <li>{@code fresh}: each invocation gets a new copy of the snapshot (made before the timer
 *       starts), so the timed pass also builds the index: the first pass after a restart.
 * </ul>
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@State(Scope.Benchmark)
@Fork(
    value = 1,
    jvmArgsAppend = {"-Xms2g", "-Xmx2g"})
@Warmup(iterations = 3, time = 5)
@Measurement(iterations = 5, time = 5)
public class DpfPassBenchmark {

  @Param({"basic", "renyi"})
  public String accounting;

  @Param({"backlog", "steady"})
  public String state;

  @Param({"" + Workload.DEFAULT_UNLOCK_N})
  public int unlockN;

  @Param({"contiguous"})
  public String layout;

  @Param({"carried", "fresh"})
  public String index;

  private Snapshot snapshot;
  private Snapshot toRun;

  @Setup(Level.Trial)
  public void build() throws InterruptedException {
    Workload w = new Workload(accounting, layout, unlockN);
    SchedulingEngine e = "backlog".equals(state) ? w.backlog() : w.steady();
    System.out.println();
    System.out.println("# state: " + Workload.describe(e, w));
    snapshot = e.snapshot();
    e = null;
    long before = EngineFootprintBenchmark.usedAfterFullGc();
    SchedulingPass.Result r = SchedulingPass.run(snapshot, Policy.dpf(), Workload.T0);
    System.out.println(
        "# one pass: "
            + r.decision().grants().size()
            + " granted, "
            + r.decision().denials().size()
            + " denied, "
            + r.waiting().size()
            + " still waiting");
    r = null;
    // what the snapshot holds now and did not before: its index (the pass built it)
    long index = EngineFootprintBenchmark.usedAfterFullGc() - before;
    System.out.printf(
        Locale.ROOT, "# index retained by the snapshot: %.1f MiB%n", index / 1048576.0);
  }

  /** A copy without an index for {@code fresh}; the same snapshot for {@code carried}. */
  @Setup(Level.Invocation)
  public void pick() {
    toRun =
        "fresh".equals(index)
            ? new Snapshot(snapshot.blocks(), snapshot.waiting(), snapshot.allocated())
            : snapshot;
  }

  @Benchmark
  public SchedulingPass.Result pass() {
    return SchedulingPass.run(toRun, Policy.dpf(), Workload.T0);
  }
}
