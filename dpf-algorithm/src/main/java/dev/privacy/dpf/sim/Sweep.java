package dev.privacy.dpf.sim;

import java.math.BigDecimal;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;

/**
 * A sweep: runs of policies x N (or T) x seeds x fractions of mice x accountings, run in parallel
 * on a fixed pool of threads. Each run is independent; runs on the same workload and seed share one
 * trace, so policies are compared on the same arrivals. Results come back in the order of the runs,
 * whatever order they finish in, so the files written from them do not depend on scheduling.
 */
public final class Sweep {

  /**
   * One run.
   *
   * @param experiment the experiment's name
   * @param workload the workload
   * @param seed the seed of its trace
   * @param policy the policy's catalog entry
   * @param n the policy's N (0 for a policy without one)
   */
  public record Run(
      String experiment, Workload workload, long seed, PolicyCatalog.Entry policy, int n) {
    public Run {
      Objects.requireNonNull(experiment, "experiment");
      Objects.requireNonNull(workload, "workload");
      Objects.requireNonNull(policy, "policy");
    }

    /** The lifetime T of a time-driven policy, else null. */
    public Duration lifetime() {
      return policy.lifetime(n, workload.arrivalInterval());
    }

    /** The policy itself. */
    public SimPolicy build() {
      return policy.factory().create(n, workload.arrivalInterval());
    }

    /** A one-line label for progress output. */
    public String label() {
      return experiment
          + " "
          + workload.accounting().label()
          + " "
          + build().describe()
          + (policy.parameterized() && policy.timeDriven() ? " (N=" + n + ")" : "")
          + " mice="
          + percent(workload.miceFraction())
          + "% seed="
          + seed;
    }
  }

  /**
   * A finished run.
   *
   * @param run what was run
   * @param result what it produced
   * @param wallNanos how long it took
   */
  public record Outcome(Run run, RunResult result, long wallNanos) {}

  private static final java.lang.management.ThreadMXBean CPU =
      java.lang.management.ManagementFactory.getThreadMXBean();

  private Sweep() {}

  /**
   * Runs every run on {@code threads} threads and returns the outcomes in the order of {@code
   * runs}; {@code progress} receives a line per finished run.
   */
  public static List<Outcome> run(List<Run> runs, int threads, Consumer<String> progress) {
    Map<TraceKey, Trace> traces = new ConcurrentHashMap<>();
    AtomicInteger done = new AtomicInteger();
    long t0 = System.nanoTime();
    ExecutorService pool = Executors.newFixedThreadPool(Math.max(1, threads));
    try {
      // Submit the largest N first (longer runs, as a rule), so that the last runs to finish are
      // short ones; results are still collected in the order of the runs.
      List<Integer> order = new ArrayList<>();
      for (int i = 0; i < runs.size(); i++) {
        order.add(i);
      }
      order.sort(java.util.Comparator.comparingInt((Integer i) -> -runs.get(i).n()));
      List<Future<Outcome>> futures =
          new ArrayList<>(java.util.Collections.nCopies(runs.size(), null));
      for (int i : order) {
        Run r = runs.get(i);
        futures.set(
            i,
            pool.submit(
                () -> {
                  long s = System.nanoTime();
                  long cpu0 = CPU.getCurrentThreadCpuTime();
                  Trace trace =
                      traces.computeIfAbsent(
                          new TraceKey(r.workload(), r.seed()), k -> k.workload.generate(k.seed));
                  RunResult result = Simulator.run(trace, r.build());
                  long wall = System.nanoTime() - s;
                  long cpu = CPU.getCurrentThreadCpuTime() - cpu0;
                  progress.accept(
                      String.format(
                          Locale.ROOT,
                          "[%"
                              + digits(runs.size())
                              + "d/%d] %s -> granted %d (mice %d,"
                              + " elephants %d) in %.2f s (cpu %.2f s); elapsed %.1f s",
                          done.incrementAndGet(),
                          runs.size(),
                          r.label(),
                          result.granted(),
                          result.grantedMice(),
                          result.grantedElephants(),
                          wall / 1e9,
                          cpu / 1e9,
                          (System.nanoTime() - t0) / 1e9));
                  return new Outcome(r, result, wall);
                }));
      }
      List<Outcome> out = new ArrayList<>(runs.size());
      for (Future<Outcome> f : futures) {
        out.add(f.get());
      }
      return out;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("sweep interrupted", e);
    } catch (ExecutionException e) {
      throw new IllegalStateException("a run failed: " + e.getCause(), e.getCause());
    } finally {
      pool.shutdownNow();
    }
  }

  private record TraceKey(Workload workload, long seed) {}

  private static int digits(int n) {
    return Integer.toString(n).length();
  }

  static String percent(double fraction) {
    return BigDecimal.valueOf(fraction * 100).stripTrailingZeros().toPlainString();
  }

  /** A duration in seconds, without trailing zeros, e.g. {@code 0.4265s} or {@code 100s}. */
  public static String formatSeconds(Duration d) {
    return BigDecimal.valueOf(d.toNanos(), 9).stripTrailingZeros().toPlainString() + "s";
  }
}
